"""Raw suite for the LSOA -> sub-ICB location -> ICB lookup."""

from expectations.checks import Batch, Suite, between, matches, rows_between, unique

SUITE = Suite(
    name="raw_ons_lsoa_icb_lookup",
    batches=(
        Batch(
            name="raw_ons_lsoa_icb_lookup",
            description="One row per English LSOA (2021), each in one sub-ICB location and ICB.",
            query="select * from raw.ons_lsoa_icb_lookup",
            expectations=lambda: [
                rows_between(30_000, 40_000),
                matches("lsoa_code", r"^E01\d{6}$"),
                matches("icb_code", r"^E54\d{6}$"),
                matches("icb_ods_code", r"^Q[A-Z0-9]{2}$"),
                unique("lsoa_code"),
            ],
        ),
        Batch(
            name="raw_ons_lsoa_icb_lookup__icbs",
            description="Each ICB has one GSS code, one NHS code, and hundreds of LSOAs.",
            query="""
                select icb_ods_code, count(distinct icb_code) as gss_codes, count(*) as lsoas
                from raw.ons_lsoa_icb_lookup group by 1
            """,
            expectations=lambda: [rows_between(40, 45), between("gss_codes", 1, 1), between("lsoas", 100, 5_000)],
        ),
    ),
)
