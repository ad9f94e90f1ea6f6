(set-info :smt-lib-version 2.6)
(set-logic QF_LRA)
(set-info :source |smug 0.1.0 minimal-mask problem (SMUG, ICLR 2021).
model fashion_cnn.onnx sha256 75375f71cdc82462ff722bffb6448410f194de513ab6e76de05df773fe55c1a9
input 0000_ankle_boot.png, target class 9
4 neurons (top-k by Integrated Gradients), gamma 0.5
grid 7x7 cells of 4x4 pixels, variable m_<row>_<col> true = cell kept
decision form: size <= 4|)
(set-info :license "https://creativecommons.org/licenses/by/4.0/")
(set-info :category "industrial")
(set-info :status sat)
(declare-const m_2_2 Bool)
(declare-const m_3_1 Bool)
(declare-const m_3_2 Bool)
(declare-const m_4_0 Bool)
(declare-const m_5_3 Bool)
(declare-const m_5_4 Bool)
(declare-const size Real)
(assert (= size (+ (ite m_2_2 1.0 0.0) (ite m_3_1 1.0 0.0) (ite m_3_2 1.0 0.0) (ite m_4_0 1.0 0.0) (ite m_5_3 1.0 0.0) (ite m_5_4 1.0 0.0))))
; neuron 677: o = 1.24487224171078114665078828693367540836334228515625
(assert (> (+ (ite m_2_2 0.30937007713017994348092543077655136585235595703125 0.0) (ite m_3_2 0.994165152826088416304628481157124042510986328125 0.0)) 0.6811121444531773594377455083304084837436676025390625))
; neuron 750: o = 1.00809534608200035421532447799108922481536865234375
(assert (> (+ (ite m_5_3 0.3506903759582105095660153892822563648223876953125 0.0) (ite m_5_4 0.71606795836927705778407471370883285999298095703125 0.0)) 0.56272132886983061705876707492279820144176483154296875))
; neuron 689: o = 1.25589389752404745337344138533808290958404541015625
(assert (> (ite m_3_1 1.31455688576953466650820701033808290958404541015625 0.0) 0.6866230825763686151930187406833283603191375732421875))
; neuron 322: o = 0.82809618998798040223618954769335687160491943359375
(assert (> (ite m_4_0 0.72235781092675832582017392269335687160491943359375 0.0) 0.308316939510877408014977163475123234093189239501953125))
; proved before solving: lower bound, dominance, useless cells
(assert (=> m_2_2 m_3_2))
(assert (=> m_5_3 m_5_4))
(assert (<= size 4.0))
(check-sat)
(get-value (m_2_2 m_3_1 m_3_2 m_4_0 m_5_3 m_5_4 size))
