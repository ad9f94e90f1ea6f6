(set-info :smt-lib-version 2.6)
(set-logic QF_LRA)
(set-info :source |smug 0.1.0 minimal-mask problem (SMUG, ICLR 2021).
model fashion_cnn.onnx sha256 75375f71cdc82462ff722bffb6448410f194de513ab6e76de05df773fe55c1a9
input 0004_shirt.png, target class 6
4 neurons (top-k by Integrated Gradients), gamma 0.5
grid 7x7 cells of 4x4 pixels, variable m_<row>_<col> true = cell kept
decision form: size <= 3|)
(set-info :license "https://creativecommons.org/licenses/by/4.0/")
(set-info :category "industrial")
(set-info :status unsat)
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
; neuron 201: o = 1.134607687224973293638186078169383108615875244140625
(assert (> (ite m_0_2 1.028869308163751217222170453169383108615875244140625 0.0) 0.46157575324434618746494152219383977353572845458984375))
; neuron 450: o = 1.257617910718785925183738072519190609455108642578125
(assert (> (+ (ite m_1_0 0.173728678949625958694014116190373897552490234375 0.0) (ite m_1_1 0.2841565592706789544763523736037313938140869140625 0.0) (ite m_2_0 (- 0.02952571317699703712378322961740195751190185546875) 0.0) (ite m_2_1 0.509960416334199972965279812342487275600433349609375 0.0)) 0.309520959731792222324742169803357683122158050537109375))
; neuron 500: o = 1.4521777374878415134418219167855568230152130126953125
(assert (> (+ (ite m_3_4 (- 0.14752988689411239420223864726722240447998046875) 0.0) (ite m_3_5 1.2804096550406758314721855640527792274951934814453125 0.0)) 0.406805178798062050393724575769738294184207916259765625))
; neuron 563: o = 1.20419179389673036695285190944559872150421142578125
(assert (> (+ (ite m_5_1 0.3479901990902245501047218567691743373870849609375 0.0) (ite m_6_1 0.53690362546522774067625505267642438411712646484375 0.0)) 0.282806776545332649863695451131206937134265899658203125))
; proved before solving: lower bound, dominance, useless cells
(assert (=> m_1_0 m_1_1))
(assert (=> m_1_0 m_2_1))
(assert (=> m_1_1 m_2_1))
(assert (=> m_5_1 m_6_1))
(assert (not m_2_0))
(assert (not m_3_4))
(assert (<= size 3.0))
(assert (not m_2_0))
(assert (not m_3_4))
(check-sat)
(get-value (m_0_2 m_1_0 m_1_1 m_2_0 m_2_1 m_3_4 m_3_5 m_5_1 m_6_1 size))
