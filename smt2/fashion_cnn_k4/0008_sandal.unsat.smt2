(set-info :smt-lib-version 2.6)
(set-logic QF_LRA)
(set-info :source |smug 0.1.0 minimal-mask problem (SMUG, ICLR 2021).
model fashion_cnn.onnx sha256 75375f71cdc82462ff722bffb6448410f194de513ab6e76de05df773fe55c1a9
input 0008_sandal.png, target class 5
4 neurons (top-k by Integrated Gradients), gamma 0.5
grid 7x7 cells of 4x4 pixels, variable m_<row>_<col> true = cell kept
decision form: size <= 3|)
(set-info :license "https://creativecommons.org/licenses/by/4.0/")
(set-info :category "industrial")
(set-info :status unsat)
(declare-const m_2_4 Bool)
(declare-const m_2_5 Bool)
(declare-const m_2_6 Bool)
(declare-const m_3_0 Bool)
(declare-const m_3_1 Bool)
(declare-const m_3_5 Bool)
(declare-const m_3_6 Bool)
(declare-const size Real)
(assert (= size (+ (ite m_2_4 1.0 0.0) (ite m_2_5 1.0 0.0) (ite m_2_6 1.0 0.0) (ite m_3_0 1.0 0.0) (ite m_3_1 1.0 0.0) (ite m_3_5 1.0 0.0) (ite m_3_6 1.0 0.0))))
; neuron 492: o = 1.5949994797617155217750450901803560554981231689453125
(assert (> (+ (ite m_3_0 0.08472455695127312225167770520783960819244384765625 0.0) (ite m_3_1 1.1909769534691643233514923849725164473056793212890625 0.0)) 0.478214527554683910270938440589816309511661529541015625))
; neuron 684: o = 1.26790085748550662714251302531920373439788818359375
(assert (> (+ (ite m_2_5 0.21644488361912550544730038382112979888916015625 0.0) (ite m_2_6 0.09292519351105443803362504695542156696319580078125 0.0) (ite m_3_5 0.3776087067261943985840844106860458850860595703125 0.0) (ite m_3_6 0.63958506187461949821226880885660648345947265625 0.0)) 0.6926266826266977982839989635976962745189666748046875))
; neuron 683: o = 1.26584557587208390572186544886790215969085693359375
(assert (> (+ (ite m_2_5 0.30731479551675722206027785432524979114532470703125 0.0) (ite m_3_5 1.0171937686008138967963532195426523685455322265625 0.0)) 0.69159902126717032189162637223489582538604736328125))
; neuron 667: o = 1.25835739993765738375941509730182588100433349609375
(assert (> (ite m_2_4 1.31702038818314459689418072230182588100433349609375 0.0) 0.68785485841819771213323519987170584499835968017578125))
; proved before solving: lower bound, dominance, useless cells
(assert (=> m_2_5 m_3_5))
(assert (=> m_2_6 m_2_5))
(assert (=> m_2_6 m_3_5))
(assert (=> m_2_6 m_3_6))
(assert (=> m_3_0 m_3_1))
(assert (<= size 3.0))
(assert (not m_2_6))
(assert (not m_3_0))
(check-sat)
(get-value (m_2_4 m_2_5 m_2_6 m_3_0 m_3_1 m_3_5 m_3_6 size))
