"""Raw suite for the practice-level registered and need-weighted populations."""

from expectations.checks import FINANCIAL_YEAR, GSS, Batch, Suite, between, in_set, matches, rows_between

SUITE = Suite(
    name="raw_nhs_gp_weighted_population",
    batches=(
        Batch(
            name="raw_nhs_gp_weighted_population",
            description="One row per practice per component per year.",
            query="select * from raw.nhs_gp_weighted_population",
            expectations=lambda: [
                rows_between(20_000, 200_000),
                matches("_period", FINANCIAL_YEAR),
                matches("icb_ods_code", r"^Q[A-Z0-9]{2}$"),
                matches("lad_code", GSS),
                between("population", 0, 200_000),
            ],
        ),
        Batch(
            name="raw_nhs_gp_weighted_population__england",
            description=(
                "England's registered population (the sum of practice lists) is 55 to 65 million, and "
                "each weighted component sums to within 2% of it (weights redistribute, they do not add)."
            ),
            query="""
                with totals as (
                    select _period, component_code, sum(population) as total
                    from raw.nhs_gp_weighted_population group by 1, 2
                )
                select t._period, t.component_code, t.total, r.total as registered,
                    t.total / r.total as ratio_to_registered
                from totals t join totals r on t._period = r._period and r.component_code = 'registered'
            """,
            expectations=lambda: [
                between("registered", 55_000_000, 65_000_000),
                between("ratio_to_registered", 0.98, 1.02),
                in_set(
                    "component_code",
                    [
                        "registered",
                        "general_and_acute",
                        "community_services",
                        "mental_health",
                        "maternity",
                        "health_inequalities",
                        "prescribing",
                        "core_services",
                        "primary_medical_care_need",
                        "primary_medical_care",
                    ],
                ),
            ],
        ),
    ),
)
