"""Clinical vignettes drawn from clinical-references.md: each routes as its guideline says.

Each visit is a change from a calm leg-dominant sciatica visit (every red-flag question "no",
trend stuck, not disabling, candidate for intervention). Each vignette names the reference it
follows; the expected outcome is the decision at the last visit: its urgency (of the states
entered at that visit), the imaging it orders (study ids), and where the patient rests.
"""

import pytest

STUCK_6_WEEKS = dict(trend="stuck", disabling=True, conservative_care_weeks=6)
MRI_CONCORDANT = dict(STUCK_6_WEEKS, mri_result="concordant")


def case(name, visits, urgency, imaging, final_state, cite, age=45):
    return pytest.param(visits, age, (urgency, imaging, final_state), cite, id=name)


RED_FLAGS_AT_FIRST_VISIT = [  # GIRFT 2023; NICE CG75/NG234; NICE NG41; ACP 2011; ACR 2021
    case("new-bladder-dysfunction", [(1, dict(bladder_dysfunction=True))], "emergency", "mri", "emergency_ces", "girft-ces-2023"),
    case("new-bowel-dysfunction", [(1, dict(bowel_dysfunction=True))], "emergency", "mri", "emergency_ces", "girft-ces-2023"),
    case("saddle-anaesthesia-alone", [(1, dict(saddle_anaesthesia=True))], "emergency", "mri", "emergency_ces", "girft-ces-2023"),
    case("progressive-weakness-both-legs", [(1, dict(bilateral_leg_symptoms=True, weakness="progressive"))],
         "emergency", "mri", "emergency_ces", "girft-ces-2023"),
    case("severe-stable-weakness-both-legs-is-cauda-equina", [(1, dict(bilateral_leg_symptoms=True, weakness="severe"))],
         "emergency", "mri", "emergency_ces", "girft-ces-2023"),
    case("sexual-dysfunction-with-leg-numbness", [(1, dict(sexual_dysfunction=True))], "emergency", "mri", "emergency_ces",
         "girft-ces-2023"),
    case("sexual-dysfunction-back-pain-only",
         [(1, dict(sexual_dysfunction=True, sensory_symptoms=False, pain_below_knee=False, pain_distribution="back_dominant"))],
         "none", "none", "conservative_care", "girft-ces-2023"),
    case("cancer-history-with-radicular-pain-is-mscc", [(1, dict(cancer_history=True))],
         "emergency", "mri_with_contrast_whole_spine", "emergency_mscc", "nice-cg75-immediate"),
    case("mscc-bilateral-leg-symptoms-back-dominant",
         [(1, dict(cancer_history=True, bilateral_leg_symptoms=True, pain_distribution="back_dominant", pain_below_knee=False,
                   sensory_symptoms=False))],
         "emergency", "mri_with_contrast_whole_spine", "emergency_mscc", "nice-ng234-mscc"),
    case("mscc-without-a-known-cancer", [(1, dict(unexplained_weight_loss=True, night_pain=True))],
         "emergency", "mri_with_contrast_whole_spine", "emergency_mscc", "mscc-unknown-primary"),
    case("cancer-history-back-pain-without-neurology",
         [(1, dict(cancer_history=True, night_pain=True, pain_distribution="back_dominant", pain_below_knee=False,
                   sensory_symptoms=False))],
         "urgent", "mri_with_contrast_whole_spine", "urgent_malignancy", "nice-ng234-mscc"),
    case("weight-loss-over-50-back-pain-only",
         [(1, dict(unexplained_weight_loss=True, pain_distribution="back_dominant", pain_below_knee=False,
                   sensory_symptoms=False))],
         "urgent", "mri_with_contrast", "urgent_malignancy", "acp-2011-immediate", age=58),
    case("major-trauma", [(0, dict(major_trauma=True))], "emergency", "ct", "emergency_trauma", "nice-ng41"),
    case("new-foot-drop-one-leg", [(1, dict(foot_drop=True, weakness="severe"))], "urgent", "mri", "urgent_motor_deficit",
         "lothian-foot-drop"),
    case("progressive-weakness-one-leg", [(2, dict(weakness="progressive"))], "urgent", "mri", "urgent_motor_deficit",
         "acp-2011-immediate"),
    case("severe-weakness-one-leg", [(2, dict(weakness="severe"))], "urgent", "mri", "urgent_motor_deficit", "acp-2007-rec3"),
    case("fever-and-iv-drug-use", [(1, dict(fever=True, iv_drug_use=True))], "urgent", "mri_with_contrast", "urgent_infection",
         "acp-2011-immediate"),
    case("fever-with-back-pain-alone-is-urgent", [(1, dict(fever=True))], "urgent", "mri_with_contrast", "urgent_infection",
         "acr-spine-infection"),
    case("iv-drug-use-alone-is-urgent", [(1, dict(iv_drug_use=True))], "urgent", "mri_with_contrast", "urgent_infection",
         "acr-spine-infection"),
    case("immunosuppression-alone-is-urgent", [(1, dict(immunosuppression=True))], "urgent", "mri_with_contrast",
         "urgent_infection", "acr-2021-v7"),
    case("weight-loss-alone-under-50-is-deferred", [(1, dict(unexplained_weight_loss=True))], "none", "none",
         "conservative_care", "acp-2011-defer", age=35),
    case("night-pain-alone-does-not-escalate", [(1, dict(night_pain=True))], "none", "none", "conservative_care",
         "nice-cg75-urgent"),
    case("two-fracture-risk-factors-urgent-xray", [(1, dict(minor_trauma=True, osteoporosis=True))], "urgent", "xray",
         "urgent_fracture", "downie-2013"),
    case("osteoporosis-and-over-70-urgent-xray", [(1, dict(osteoporosis=True))], "urgent", "xray", "urgent_fracture",
         "downie-2013", age=74),
    case("one-fracture-risk-factor-initial-xray", [(1, dict(osteoporosis=True))], "routine", "xray", "xray_fracture_risk",
         "acr-2021-v6"),
    case("over-70-alone-initial-xray", [(1, {})], "routine", "xray", "xray_fracture_risk", "acr-2021-v6", age=74),
]

COMBINED_RED_FLAGS = [  # all requirements at once: the most urgent care, imaging that meets every one
    case("infection-with-progressive-weakness-is-an-emergency", [(1, dict(fever=True, iv_drug_use=True, weakness="progressive"))],
         "emergency", "mri_with_contrast", "emergency_infection", "sea-emergency"),
    case("infection-with-reflex-change-is-an-emergency", [(1, dict(fever=True, reflex_change=True))],
         "emergency", "mri_with_contrast", "emergency_infection", "sea-emergency"),
    case("cauda-equina-with-infection-keeps-contrast", [(1, dict(saddle_anaesthesia=True, fever=True, iv_drug_use=True))],
         "emergency", "mri_with_contrast", "emergency_ces", "acr-spine-infection"),
    case("mscc-with-infection-keeps-contrast", [(1, dict(cancer_history=True, fever=True))],
         "emergency", "mri_with_contrast_whole_spine", "emergency_mscc", "acr-spine-infection"),
    case("cauda-equina-with-cancer-images-whole-spine", [(1, dict(bladder_dysfunction=True, cancer_history=True))],
         "emergency", "mri_with_contrast_whole_spine", "emergency_ces", "nice-ng234-mscc"),
    case("trauma-with-cauda-equina-ct-and-mri", [(0, dict(major_trauma=True, saddle_anaesthesia=True))],
         "emergency", "mri+ct", "emergency_trauma", "nice-ng41"),
]

MRI_CONTRAINDICATED = [  # honoured on every route (ACR variant 4; NICE NG234; Michigan infection imaging order)
    case("pacemaker-cauda-equina-ct", [(1, dict(bladder_dysfunction=True, mri_contraindicated=True))],
         "emergency", "ct", "emergency_ces", "ces-ct-when-mri-impossible"),
    case("pacemaker-foot-drop-ct", [(1, dict(foot_drop=True, weakness="severe", mri_contraindicated=True))],
         "urgent", "ct", "urgent_motor_deficit", "acp-2007-rec4"),
    case("pacemaker-infection-ct-with-contrast", [(1, dict(fever=True, mri_contraindicated=True))],
         "urgent", "ct_with_contrast", "urgent_infection", "infection-imaging-mri-impossible"),
    case("pacemaker-cancer-history-ct-whole-spine", [(1, dict(cancer_history=True, mri_contraindicated=True))],
         "emergency", "ct_with_contrast_whole_spine", "emergency_mscc", "nice-ng234-mscc"),
    case("pacemaker-persistent-radiculopathy-ct", [(1, {}), (7, dict(STUCK_6_WEEKS, mri_contraindicated=True))],
         "routine", "ct", "lumbar_imaging", "acp-2007-rec4"),
]

CONTINUITY = [  # every state screens; work-ups end in a named handover or back on the routine pathway
    case("urgent-motor-deficit-then-bladder-dysfunction",
         [(1, dict(weakness="progressive")), (2, dict(weakness="progressive", bladder_dysfunction=True))],
         "emergency", "mri", "emergency_ces", "girft-ces-2023"),
    case("discharged-returns-with-foot-drop",
         [(1, {}), (4, dict(trend="improving", disabling=False, symptoms_resolved=True)),
          (10, dict(foot_drop=True, weakness="severe"))],
         "urgent", "mri", "urgent_motor_deficit", "lothian-foot-drop"),
    case("waiting-for-surgical-opinion-then-saddle-anaesthesia",
         [(1, {}), (7, STUCK_6_WEEKS), (13, MRI_CONCORDANT), (16, dict(MRI_CONCORDANT, saddle_anaesthesia=True))],
         "emergency", "mri", "emergency_ces", "girft-ces-2023"),
    case("emergency-scan-excludes-cauda-equina-back-to-routine",
         [(1, dict(bladder_dysfunction=True)), (2, dict(urgent_result="excluded", mri_result="normal"))],
         "routine", "none", "reroute_other_diagnosis", "ces-mri-yield"),
    case("emergency-scan-confirms-cauda-equina-handover",
         [(1, dict(bladder_dysfunction=True)), (2, dict(bladder_dysfunction=True, urgent_result="confirmed"))],
         "emergency", "none", "handover_emergency_spinal_surgery", "girft-ces-mri-4h"),
    case("awaiting-urgent-scan-reports-no-new-urgency",
         [(1, dict(weakness="progressive")), (2, dict(weakness="progressive"))],
         "none", "none", "urgent_motor_deficit", "acp-2011-immediate"),
    case("relapse-after-discharge-is-assessed-with-history",
         [(1, {}), (7, STUCK_6_WEEKS), (9, MRI_CONCORDANT), (14, dict(MRI_CONCORDANT, epidural_response="lasting_relief",
                                                                       trend="improving", symptoms_resolved=True, disabling=False)),
          (30, dict(MRI_CONCORDANT, epidural_response="lasting_relief"))],
         "routine", "none", "surgical_referral", "nice-ng59-1.1.1"),
    case("new-episode-after-a-handover",
         [(1, {}), (7, STUCK_6_WEEKS), (13, MRI_CONCORDANT), (20, dict(MRI_CONCORDANT, specialist_opinion="surgery")),
          (40, dict(prior_lumbar_surgery=True, fever=True))],
         "urgent", "mri_with_contrast", "urgent_infection", "acr-2021-v5"),
]

HANDOVERS = [  # a confirmed work-up hands over to the service that names it
    case(f"{name}-confirmed", [(1, flags), (2, dict(flags, urgent_result="confirmed"))], urgency, "none", handover, cite)
    for name, flags, urgency, handover, cite in (
        ("major-trauma", dict(major_trauma=True), "emergency", "handover_trauma_team", "nice-ng41"),
        ("spinal-cord-compression", dict(cancer_history=True), "emergency", "handover_mscc_team", "nice-ng234-mscc"),
        ("epidural-abscess", dict(fever=True, weakness="progressive"), "emergency", "handover_emergency_spinal_surgery",
         "sea-emergency"),
        ("spinal-infection", dict(fever=True), "urgent", "handover_infection_team", "sea-emergency"),
        ("motor-deficit", dict(weakness="progressive"), "urgent", "handover_urgent_spinal_opinion", "lothian-foot-drop"),
        ("malignancy", dict(cancer_history=True, pain_distribution="back_dominant", pain_below_knee=False,
                            sensory_symptoms=False), "urgent", "handover_oncology", "nice-ng234-mscc"),
        ("fracture", dict(minor_trauma=True, osteoporosis=True), "urgent", "handover_fracture_service", "acr-2021-v6"),
    )
]

CONSENT = [  # consent checked again at the epidural and at the surgical referral (ACP 2007 rec 4)
    case("declines-before-the-epidural",
         [(1, {}), (7, STUCK_6_WEEKS), (9, MRI_CONCORDANT), (11, dict(MRI_CONCORDANT, intervention_considered=False))],
         "none", "none", "conservative_care", "acp-2007-rec4"),
    case("temporary-relief-but-declines-surgery",
         [(1, {}), (7, STUCK_6_WEEKS), (9, MRI_CONCORDANT),
          (14, dict(MRI_CONCORDANT, epidural_response="temporary_relief", intervention_considered=False))],
         "none", "none", "conservative_care", "acp-2007-rec4"),
    case("declines-while-waiting-for-the-surgeon",
         [(1, {}), (7, STUCK_6_WEEKS), (13, MRI_CONCORDANT), (16, dict(MRI_CONCORDANT, intervention_considered=False))],
         "none", "none", "conservative_care", "acp-2007-rec4"),
    case("surgeon-advises-against-no-second-referral",
         [(1, {}), (7, STUCK_6_WEEKS), (13, MRI_CONCORDANT), (20, dict(MRI_CONCORDANT, specialist_opinion="no_surgery")),
          (24, dict(MRI_CONCORDANT, specialist_opinion="no_surgery"))],
         "routine", "none", "conservative_care", "nice-ng59-decompression"),  # routine: the scan was correlated again
]

NO_RED_FLAGS = [  # conservative care; imaging only when it changes management (NICE NG59; ACR 2021; ACP 2007)
    case("first-visit-no-red-flags", [(1, {})], "none", "none", "conservative_care", "nice-ng59-1.1.3"),
    case("improving-at-review", [(1, {}), (3, dict(trend="improving", conservative_care_weeks=2))], "none", "none",
         "conservative_care", "acp-2011-no-imaging"),
    case("recovered", [(1, {}), (4, dict(trend="improving", symptoms_resolved=True, disabling=False))], "none", "none",
         "discharged", "nice-qs155-st3"),
    case("worse-at-3-weeks-disabling-candidate-mri", [(1, {}), (4, dict(trend="worse", disabling=True, conservative_care_weeks=3))],
         "routine", "mri", "lumbar_imaging", "acr-2021-v3"),
    case("worse-at-3-weeks-not-disabling-no-mri", [(1, {}), (4, dict(trend="worse", conservative_care_weeks=3))],
         "none", "none", "conservative_care", "acp-2007-rec4"),
    case("first-visit-with-concordant-mri-in-hand", [(9, dict(MRI_CONCORDANT, conservative_care_weeks=8))],
         "routine", "none", "epidural_injection", "nice-ng59-epidural"),
    case("stuck-before-6-weeks-no-imaging", [(1, {}), (4, dict(disabling=True, conservative_care_weeks=3))],
         "none", "none", "conservative_care", "acr-2021-v3"),
    case("persistent-disabling-candidate-mri", [(1, {}), (7, STUCK_6_WEEKS)], "routine", "mri", "lumbar_imaging", "acr-2021-v3"),
    case("late-presentation-after-6-weeks-care", [(8, STUCK_6_WEEKS)], "routine", "mri", "lumbar_imaging", "acr-2021-v3"),
    case("improving-after-6-weeks-no-mri", [(1, {}), (7, dict(STUCK_6_WEEKS, trend="improving"))], "none", "none",
         "conservative_care", "acp-2011-no-imaging"),
    case("not-disabling-no-mri", [(1, {}), (7, dict(STUCK_6_WEEKS, disabling=False))], "none", "none", "conservative_care",
         "acr-2021-v3"),
    case("declines-intervention-no-mri", [(1, {}), (7, dict(STUCK_6_WEEKS, intervention_considered=False))],
         "none", "none", "conservative_care", "acp-2007-rec4"),
    case("back-dominant-no-mri", [(1, {}), (7, dict(STUCK_6_WEEKS, pain_distribution="back_dominant"))],
         "none", "none", "conservative_care", "acr-2021-v3"),
    case("prior-surgery-contrast-mri", [(1, {}), (7, dict(STUCK_6_WEEKS, prior_lumbar_surgery=True))],
         "routine", "mri_with_contrast", "lumbar_imaging", "acr-2021-v5"),
    case("claudication-surgery-considered-mri", [(1, dict(minor_trauma=False)), (2, dict(xray_result="normal")),
                                                 (7, dict(STUCK_6_WEEKS, neurogenic_claudication=True, xray_result="normal"))],
         "routine", "mri", "lumbar_imaging", "acp-2011-defer", age=72),
    case("weight-loss-stuck-after-a-month-xray", [(1, dict(unexplained_weight_loss=True)), (4, dict(unexplained_weight_loss=True))],
         "routine", "xray", "xray_risk_factors", "acp-2011-defer", age=35),
    case("xray-shows-abnormality",
         [(1, dict(osteoporosis=True)), (2, dict(osteoporosis=True, xray_result="abnormal"))],
         "urgent", "mri", "urgent_abnormal_xray", "acp-2011-defer"),
    case("xray-normal-back-to-care",
         [(1, dict(osteoporosis=True)), (2, dict(osteoporosis=True, xray_result="normal"))],
         "none", "none", "conservative_care", "acr-2021-v6"),
]

IMAGING_CORRELATED = [  # the scan is read against the clinical picture (NICE NG59; Brinjikji 2015; §7 A5)
    case("concordant-acute-severe-epidural", [(1, {}), (7, STUCK_6_WEEKS), (9, MRI_CONCORDANT)],
         "routine", "none", "epidural_injection", "nice-ng59-epidural"),
    case("concordant-beyond-12-weeks-surgery", [(1, {}), (7, STUCK_6_WEEKS), (13, MRI_CONCORDANT)],
         "routine", "none", "surgical_referral", "nice-ng59-decompression"),
    case("concordant-claudication-no-epidural",
         [(1, {}), (7, dict(STUCK_6_WEEKS, neurogenic_claudication=True)),
          (9, dict(MRI_CONCORDANT, neurogenic_claudication=True))],
         "routine", "none", "surgical_referral", "nice-ng59-epidural"),
    case("discordant-mri-reroute", [(1, {}), (7, STUCK_6_WEEKS), (9, dict(STUCK_6_WEEKS, mri_result="discordant"))],
         "routine", "none", "reroute_other_diagnosis", "brinjikji-2015"),
    case("normal-mri-with-hip-signs-hip-xray",
         [(1, {}), (7, STUCK_6_WEEKS), (9, dict(STUCK_6_WEEKS, mri_result="normal", hip_or_si_signs=True))],
         "routine", "xray_hip_pelvis", "reroute_hip_or_si", "acr-hip-2016"),
    case("normal-mri-with-persisting-deficit-nerve-studies",
         [(1, {}), (7, STUCK_6_WEEKS), (9, dict(STUCK_6_WEEKS, mri_result="normal", reflex_change=True))],
         "routine", "none", "reroute_nerve_studies", "emg-timing"),
    case("concordant-but-improving", [(1, {}), (7, STUCK_6_WEEKS), (9, dict(MRI_CONCORDANT, trend="improving"))],
         "routine", "none", "conservative_care", "nice-ng59-decompression"),
    case("epidural-temporary-relief-surgery",
         [(1, {}), (7, STUCK_6_WEEKS), (9, MRI_CONCORDANT), (14, dict(MRI_CONCORDANT, epidural_response="temporary_relief"))],
         "routine", "none", "surgical_referral", "llr-icb-epidural"),
    case("epidural-lasting-relief-conservative",
         [(1, {}), (7, STUCK_6_WEEKS), (9, MRI_CONCORDANT),
          (14, dict(MRI_CONCORDANT, epidural_response="lasting_relief", trend="improving"))],
         "none", "none", "conservative_care", "llr-icb-epidural"),
    case("waiting-for-mri-result", [(1, {}), (7, STUCK_6_WEEKS), (9, STUCK_6_WEEKS)], "none", "none", "lumbar_imaging",
         "nhs-dm01"),
    case("surgery-planned-handover",
         [(1, {}), (7, STUCK_6_WEEKS), (13, MRI_CONCORDANT), (20, dict(MRI_CONCORDANT, specialist_opinion="surgery"))],
         "routine", "none", "handover_spinal_surgery", "nice-ng59-decompression"),
    case("hip-signs-without-neurology",
         [(1, dict(hip_or_si_signs=True, sensory_symptoms=False, pain_below_knee=False))], "routine", "xray_hip_pelvis",
         "reroute_hip_or_si", "sembrano-2009"),
    case("hip-signs-with-nerve-root-signs-stay-on-pathway", [(1, dict(hip_or_si_signs=True))], "none", "none",
         "conservative_care", "sembrano-2009"),
]

VIGNETTES = (RED_FLAGS_AT_FIRST_VISIT + COMBINED_RED_FLAGS + MRI_CONTRAINDICATED + CONTINUITY + HANDOVERS + CONSENT + NO_RED_FLAGS
             + IMAGING_CORRELATED)


@pytest.mark.parametrize("visits, age, expected, cite", VIGNETTES)
def test_vignette_routes_as_the_guidelines_say(route, spec, visits, age, expected, cite):
    assert cite in spec.reference
    trace = route(*visits, age=age)
    last = trace.visits[-1]
    assert (last.urgency.value, last.imaging.id, trace.final_state) == expected


def test_every_state_is_reached_by_some_vignette(route, spec):
    reached = {spec.initial}
    for param in VIGNETTES:
        visits, age, _, _ = param.values
        reached |= {s for v in route(*visits, age=age).visits for s in v.entered}
    assert {s.id for s in spec.states} - reached == set()
