(set-info :smt-lib-version 2.6)
(set-logic QF_LRA)
(set-info :source |smug 0.1.0 minimal-mask problem (SMUG, ICLR 2021).
model fashion_cnn.onnx sha256 75375f71cdc82462ff722bffb6448410f194de513ab6e76de05df773fe55c1a9
input 0004_shirt.png, target class 6
4 neurons (top-k by Integrated Gradients), gamma 0.5
grid 7x7 cells of 4x4 pixels, variable m_<row>_<col> true = cell kept
decision form: size <= 4|)
(set-info :license "https://creativecommons.org/licenses/by/4.0/")
(set-info :category "industrial")
(set-info :status sat)
(declare-const m_0_2 Bool)
(declare-const m_1_0 Bool)
(declare-const m_1_1 Bool)
(declare-const m_2_0 Bool)
(declare-const m_2_1 Bool)
(declare-const m_3_4 Bool)
(declare-const m_3_5 Bool)
(declare-const m_5_1 Bool)
(declare-const m_6_1 Bool)
(declare-const size Real)
(assert (= size (+ (ite m_0_2 1.0 0.0) (ite m_1_0 1.0 0.0) (ite m_1_1 1.0 0.0) (ite m_2_0 1.0 0.0) (ite m_2_1 1.0 0.0) (ite m_3_4 1.0 0.0) (ite m_3_5 1.0 0.0) (ite m_5_1 1.0 0.0) (ite m_6_1 1.0 0.0))))
; neuron 201: o = 1.1346076872249733
(assert (> (ite m_0_2 1.0288693081637512 0.0) 0.46157575324434619))
; neuron 450: o = 1.2576179107187859
(assert (> (+ (ite m_1_0 0.17372867894962596 0.0) (ite m_1_1 0.28415655927067895 0.0) (ite m_2_0 (- 0.029525713176997037) 0.0) (ite m_2_1 0.50996041633419997 0.0)) 0.30952095973179222))
; neuron 500: o = 1.4521777374878415
(assert (> (+ (ite m_3_4 (- 0.14752988689411239) 0.0) (ite m_3_5 1.2804096550406758 0.0)) 0.40680517879806205))
; neuron 563: o = 1.2041917938967304
(assert (> (+ (ite m_5_1 0.34799019909022455 0.0) (ite m_6_1 0.53690362546522774 0.0)) 0.28280677654533265))
; proved before solving: lower bound, dominance, useless cells
(assert (=> m_1_0 m_1_1))
(assert (=> m_1_0 m_2_1))
(assert (=> m_1_1 m_2_1))
(assert (=> m_5_1 m_6_1))
(assert (not m_2_0))
(assert (not m_3_4))
(assert (<= size 4.0))
(assert (not m_2_0))
(assert (not m_3_4))
(check-sat)
(get-value (m_0_2 m_1_0 m_1_1 m_2_0 m_2_1 m_3_4 m_3_5 m_5_1 m_6_1 size))
