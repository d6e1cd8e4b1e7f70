"""Clinical vignettes drawn from clinical-references.md: each routes as its guideline says.

Each visit is a change from a calm leg-dominant sciatica visit (every red-flag question "no",
trend stuck, not disabling, candidate for intervention).
"""

import pytest

STUCK_6_WEEKS = dict(trend="stuck", disabling=True, conservative_care_weeks=6)


def case(name, visits, urgency, imaging, final_state, age=45):
    return pytest.param(visits, age, (urgency, imaging, final_state), id=name)


VIGNETTES = [
    # -- red flags at the first visit (GIRFT 2023; NICE CG75; NICE NG41; ACP 2011) -----------------
    case("new-bladder-dysfunction", [(1, dict(bladder_dysfunction=True))], "emergency", "mri", "emergency_ces"),
    case("new-bowel-dysfunction", [(1, dict(bowel_dysfunction=True))], "emergency", "mri", "emergency_ces"),
    case("saddle-anaesthesia-alone", [(1, dict(saddle_anaesthesia=True))], "emergency", "mri", "emergency_ces"),
    case("progressive-weakness-both-legs", [(1, dict(bilateral_leg_symptoms=True, weakness="progressive"))],
         "emergency", "mri", "emergency_ces"),
    case("sexual-dysfunction-with-leg-numbness", [(1, dict(sexual_dysfunction=True))], "emergency", "mri", "emergency_ces"),
    case("sexual-dysfunction-back-pain-only",
         [(1, dict(sexual_dysfunction=True, sensory_symptoms=False, pain_below_knee=False, pain_distribution="back_dominant"))],
         "none", "none", "conservative_care"),
    case("cancer-history-with-radicular-pain", [(1, dict(cancer_history=True))], "emergency", "mri", "emergency_mscc"),
    case("cancer-history-back-pain-without-neurology",
         [(1, dict(cancer_history=True, night_pain=True, pain_distribution="back_dominant", pain_below_knee=False,
                   sensory_symptoms=False))],
         "urgent", "mri_with_contrast", "urgent_malignancy"),
    case("major-trauma", [(0, dict(major_trauma=True))], "emergency", "ct", "emergency_trauma"),
    case("new-foot-drop-one-leg", [(1, dict(foot_drop=True))], "urgent", "mri", "urgent_motor_deficit"),
    case("progressive-weakness-one-leg", [(2, dict(weakness="progressive"))], "urgent", "mri", "urgent_motor_deficit"),
    case("fever-and-iv-drug-use", [(1, dict(fever=True, iv_drug_use=True))], "urgent", "mri_with_contrast", "urgent_infection"),
    case("fever-and-recent-infection", [(1, dict(fever=True, recent_infection=True))], "urgent", "mri_with_contrast", "urgent_infection"),
    case("fever-alone-does-not-escalate", [(1, dict(fever=True))], "none", "none", "conservative_care"),
    case("iv-drug-use-alone-does-not-escalate", [(1, dict(iv_drug_use=True))], "none", "none", "conservative_care"),
    case("weight-loss-and-night-pain", [(1, dict(unexplained_weight_loss=True, night_pain=True))],
         "urgent", "mri_with_contrast", "urgent_malignancy"),
    case("weight-loss-over-50", [(1, dict(unexplained_weight_loss=True))], "urgent", "mri_with_contrast", "urgent_malignancy", age=58),
    case("weight-loss-alone-under-50-is-deferred", [(1, dict(unexplained_weight_loss=True))], "none", "none", "conservative_care", age=35),
    case("night-pain-alone-does-not-escalate", [(1, dict(night_pain=True))], "none", "none", "conservative_care"),
    case("minor-trauma-with-osteoporosis", [(1, dict(minor_trauma=True, osteoporosis=True))], "urgent", "xray", "urgent_fracture"),
    case("steroids-over-70", [(1, dict(chronic_steroid_use=True))], "urgent", "xray", "urgent_fracture", age=74),
    case("cauda-equina-outranks-infection", [(1, dict(saddle_anaesthesia=True, fever=True, iv_drug_use=True))],
         "emergency", "mri", "emergency_ces"),
    case("red-flag-while-waiting-for-mri",
         [(1, {}), (4, dict(conservative_care_weeks=3)), (7, STUCK_6_WEEKS), (8, dict(STUCK_6_WEEKS, bowel_dysfunction=True))],
         "emergency", "mri", "emergency_ces"),
    # -- no red flags: conservative care, imaging only when it changes management ---------------------
    case("first-visit-no-red-flags", [(1, {})], "none", "none", "conservative_care"),
    case("improving-at-review", [(1, {}), (3, dict(trend="improving", conservative_care_weeks=2))], "none", "none", "conservative_care"),
    case("recovered", [(1, {}), (4, dict(trend="improving", symptoms_resolved=True))], "none", "none", "discharged"),
    case("worse-at-3-weeks-disabling-candidate-mri", [(1, {}), (4, dict(trend="worse", disabling=True, conservative_care_weeks=3))],
         "routine", "mri", "mri_scan"),
    case("worse-at-3-weeks-not-disabling-no-mri", [(1, {}), (4, dict(trend="worse", conservative_care_weeks=3))],
         "none", "none", "conservative_care"),
    case("first-visit-with-concordant-mri-in-hand",
         [(9, dict(STUCK_6_WEEKS, mri_result="concordant", conservative_care_weeks=8))], "routine", "none", "epidural_injection"),
    case("stuck-before-6-weeks-no-imaging", [(1, {}), (4, dict(disabling=True, conservative_care_weeks=3))],
         "none", "none", "conservative_care"),
    case("persistent-disabling-candidate-mri", [(1, {}), (7, STUCK_6_WEEKS)], "routine", "mri", "mri_scan"),
    case("late-presentation-after-6-weeks-care", [(8, STUCK_6_WEEKS)], "routine", "mri", "mri_scan"),
    case("improving-after-6-weeks-no-mri", [(1, {}), (7, dict(STUCK_6_WEEKS, trend="improving"))], "none", "none", "conservative_care"),
    case("not-disabling-no-mri", [(1, {}), (7, dict(STUCK_6_WEEKS, disabling=False))], "none", "none", "conservative_care"),
    case("declines-intervention-no-mri", [(1, {}), (7, dict(STUCK_6_WEEKS, intervention_considered=False))],
         "none", "none", "conservative_care"),
    case("back-dominant-no-mri", [(1, {}), (7, dict(STUCK_6_WEEKS, pain_distribution="back_dominant"))],
         "none", "none", "conservative_care"),
    case("mri-contraindicated-ct", [(1, {}), (7, dict(STUCK_6_WEEKS, mri_contraindicated=True))], "routine", "ct", "ct_scan"),
    case("prior-surgery-contrast-mri", [(1, {}), (7, dict(STUCK_6_WEEKS, prior_lumbar_surgery=True))],
         "routine", "mri_with_contrast", "mri_with_contrast_scan"),
    case("claudication-surgery-considered-mri", [(1, {}), (7, dict(STUCK_6_WEEKS, neurogenic_claudication=True))],
         "routine", "mri", "mri_scan", age=72),
    case("claudication-surgery-not-considered",
         [(1, {}), (7, dict(STUCK_6_WEEKS, neurogenic_claudication=True, intervention_considered=False))],
         "none", "none", "conservative_care", age=72),
    case("weight-loss-stuck-after-a-month-xray", [(1, dict(unexplained_weight_loss=True)), (4, dict(unexplained_weight_loss=True))],
         "routine", "xray", "xray_risk_factors", age=35),
    case("xray-shows-abnormality",
         [(1, dict(osteoporosis=True)), (5, dict(osteoporosis=True)), (6, dict(osteoporosis=True, xray_result="abnormal"))],
         "urgent", "mri", "urgent_abnormal_xray"),
    case("xray-normal-back-to-care",
         [(1, dict(osteoporosis=True)), (5, dict(osteoporosis=True)), (6, dict(osteoporosis=True, xray_result="normal"))],
         "none", "none", "conservative_care"),
    case("osteoporosis-stuck-after-a-month-xray", [(1, dict(osteoporosis=True)), (5, dict(osteoporosis=True, conservative_care_weeks=4))],
         "routine", "xray", "xray_risk_factors"),
    # -- imaging correlated with the clinical picture (NICE NG59; Brinjikji 2015) --------------------
    case("concordant-acute-severe-epidural",
         [(1, {}), (7, STUCK_6_WEEKS), (9, dict(STUCK_6_WEEKS, mri_result="concordant"))],
         "routine", "none", "epidural_injection"),
    case("concordant-beyond-12-weeks-surgery",
         [(1, {}), (7, STUCK_6_WEEKS), (13, dict(STUCK_6_WEEKS, mri_result="concordant"))],
         "routine", "none", "surgical_referral"),
    case("concordant-claudication-no-epidural",
         [(1, {}), (7, dict(STUCK_6_WEEKS, neurogenic_claudication=True)),
          (9, dict(STUCK_6_WEEKS, neurogenic_claudication=True, mri_result="concordant"))],
         "routine", "none", "surgical_referral", age=72),
    case("discordant-mri-reroute",
         [(1, {}), (7, STUCK_6_WEEKS), (9, dict(STUCK_6_WEEKS, mri_result="discordant"))],
         "routine", "none", "reroute_other_diagnosis"),
    case("normal-mri-reroute",
         [(1, {}), (7, STUCK_6_WEEKS), (9, dict(STUCK_6_WEEKS, mri_result="normal"))],
         "routine", "none", "reroute_other_diagnosis"),
    case("concordant-but-improving",
         [(1, {}), (7, STUCK_6_WEEKS), (9, dict(STUCK_6_WEEKS, mri_result="concordant", trend="improving"))],
         "routine", "none", "conservative_care"),  # routine: the specialist correlation was entered on the way
    case("epidural-temporary-relief-surgery",
         [(1, {}), (7, STUCK_6_WEEKS), (9, dict(STUCK_6_WEEKS, mri_result="concordant")),
          (14, dict(STUCK_6_WEEKS, mri_result="concordant", epidural_response="temporary_relief"))],
         "routine", "none", "surgical_referral"),
    case("epidural-lasting-relief-conservative",
         [(1, {}), (7, STUCK_6_WEEKS), (9, dict(STUCK_6_WEEKS, mri_result="concordant")),
          (14, dict(STUCK_6_WEEKS, mri_result="concordant", epidural_response="lasting_relief", trend="improving"))],
         "none", "none", "conservative_care"),
    case("waiting-for-mri-result", [(1, {}), (7, STUCK_6_WEEKS), (9, STUCK_6_WEEKS)], "routine", "none", "mri_scan"),
    # -- re-routing ------------------------------------------------------------------------------
    case("hip-signs-without-neurology",
         [(1, dict(hip_or_si_signs=True, sensory_symptoms=False, pain_below_knee=False))], "routine", "xray", "reroute_hip_or_si"),
    case("hip-signs-with-nerve-root-signs-stay-on-pathway", [(1, dict(hip_or_si_signs=True))], "none", "none", "conservative_care"),
]


@pytest.mark.parametrize("visits, age, expected", VIGNETTES)
def test_vignette_routes_as_the_guidelines_say(route, spec, visits, age, expected):
    trace = route(*visits, age=age)
    last = trace.visits[-1]
    assert (last.urgency.value, last.imaging.value, trace.final_state) == expected


def test_every_state_is_reached_by_some_vignette(route, spec):
    reached = {spec.initial}
    for param in VIGNETTES:
        visits, age, _ = param.values
        reached |= {s for v in route(*visits, age=age).visits for s in v.entered}
    assert {s.id for s in spec.states} - reached == set()
