(set-info :smt-lib-version 2.6)
(set-logic QF_LRA)
(set-info :source |smug 0.1.0 minimal-mask problem (SMUG, ICLR 2021).
model fashion_cnn.onnx sha256 75375f71cdc82462ff722bffb6448410f194de513ab6e76de05df773fe55c1a9
input 0000_ankle_boot.png, target class 9
4 neurons (top-k by Integrated Gradients), gamma 0.5
grid 7x7 cells of 4x4 pixels, variable m_<row>_<col> true = cell kept
decision form: size <= 3|)
(set-info :license "https://creativecommons.org/licenses/by/4.0/")
(set-info :category "industrial")
(set-info :status unsat)
(declare-const m_2_2 Bool)
(declare-const m_3_1 Bool)
(declare-const m_3_2 Bool)
(declare-const m_4_0 Bool)
(declare-const m_5_3 Bool)
(declare-const m_5_4 Bool)
(declare-const size Real)
(assert (= size (+ (ite m_2_2 1.0 0.0) (ite m_3_1 1.0 0.0) (ite m_3_2 1.0 0.0) (ite m_4_0 1.0 0.0) (ite m_5_3 1.0 0.0) (ite m_5_4 1.0 0.0))))
; neuron 677: o = 1.2448722417107811
(assert (> (+ (ite m_2_2 0.30937007713017994 0.0) (ite m_3_2 0.99416515282608842 0.0)) 0.68111214445317736))
; neuron 750: o = 1.0080953460820004
(assert (> (+ (ite m_5_3 0.35069037595821051 0.0) (ite m_5_4 0.71606795836927706 0.0)) 0.56272132886983062))
; neuron 689: o = 1.2558938975240475
(assert (> (ite m_3_1 1.3145568857695347 0.0) 0.68662308257636862))
; neuron 322: o = 0.8280961899879804
(assert (> (ite m_4_0 0.72235781092675833 0.0) 0.30831693951087741))
; proved before solving: lower bound, dominance, useless cells
(assert (=> m_2_2 m_3_2))
(assert (=> m_5_3 m_5_4))
(assert (<= size 3.0))
(assert (not m_2_2))
(check-sat)
(get-value (m_2_2 m_3_1 m_3_2 m_4_0 m_5_3 m_5_4 size))
