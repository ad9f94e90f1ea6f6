(set-info :smt-lib-version 2.6)
(set-logic QF_LRA)
(set-info :source |smug 0.1.0 minimal-mask problem (SMUG, ICLR 2021).
model fashion_cnn.onnx sha256 75375f71cdc82462ff722bffb6448410f194de513ab6e76de05df773fe55c1a9
input 0008_sandal.png, target class 5
8 neurons (top-k by Integrated Gradients), gamma 0.5
grid 7x7 cells of 4x4 pixels, variable m_<row>_<col> true = cell kept
decision form: size <= 6|)
(set-info :license "https://creativecommons.org/licenses/by/4.0/")
(set-info :category "industrial")
(set-info :status sat)
(declare-const m_2_1 Bool)
(declare-const m_2_2 Bool)
(declare-const m_2_3 Bool)
(declare-const m_2_4 Bool)
(declare-const m_2_5 Bool)
(declare-const m_2_6 Bool)
(declare-const m_3_0 Bool)
(declare-const m_3_1 Bool)
(declare-const m_3_5 Bool)
(declare-const m_3_6 Bool)
(declare-const size Real)
(assert (= size (+ (ite m_2_1 1.0 0.0) (ite m_2_2 1.0 0.0) (ite m_2_3 1.0 0.0) (ite m_2_4 1.0 0.0) (ite m_2_5 1.0 0.0) (ite m_2_6 1.0 0.0) (ite m_3_0 1.0 0.0) (ite m_3_1 1.0 0.0) (ite m_3_5 1.0 0.0) (ite m_3_6 1.0 0.0))))
; neuron 492: o = 1.5949994797617155
(assert (> (+ (ite m_3_0 0.084724556951273122 0.0) (ite m_3_1 1.1909769534691643 0.0)) 0.47821452755468391))
; neuron 684: o = 1.2679008574855066
(assert (> (+ (ite m_2_5 0.21644488361912551 0.0) (ite m_2_6 0.092925193511054438 0.0) (ite m_3_5 0.3776087067261944 0.0) (ite m_3_6 0.6395850618746195 0.0)) 0.6926266826266978))
; neuron 683: o = 1.2658455758720839
(assert (> (+ (ite m_2_5 0.30731479551675722 0.0) (ite m_3_5 1.0171937686008139 0.0)) 0.69159902126717032))
; neuron 667: o = 1.2583573999376574
(assert (> (ite m_2_4 1.3170203881831446 0.0) 0.68785485841819771))
; neuron 270: o = 0.80737716244732871
(assert (> (+ (ite m_2_1 0.15828960449855378 0.0) (ite m_2_2 0.54334917888755285 0.0)) 0.29795721855027613))
; neuron 662: o = 0.80597622750648856
(assert (> (+ (ite m_2_1 0.54588775047501947 0.0) (ite m_2_2 0.3187514652769563 0.0)) 0.46165974839088902))
; neuron 666: o = 1.2248051067384642
(assert (> (+ (ite m_2_3 0.55095783959827749 0.0) (ite m_2_4 0.73251025538567394 0.0)) 0.67107837629566913))
; neuron 661: o = 1.2193883640638861
(assert (> (ite m_2_1 1.2780513523093733 0.0) 0.66836995079095329))
; proved before solving: lower bound, dominance, useless cells
(assert (=> m_2_3 m_2_4))
(assert (=> m_2_5 m_3_5))
(assert (=> m_2_6 m_2_5))
(assert (=> m_2_6 m_3_5))
(assert (=> m_2_6 m_3_6))
(assert (=> m_3_0 m_3_1))
(assert (<= size 6.0))
(check-sat)
(get-value (m_2_1 m_2_2 m_2_3 m_2_4 m_2_5 m_2_6 m_3_0 m_3_1 m_3_5 m_3_6 size))
