"""Raw suite for CQC's latest ratings: ids, known ratings and domains, dates within the file's month."""

from expectations.checks import Batch, Suite, between, in_set, matches, not_null, rows_between

RATINGS = ["Outstanding", "Good", "Requires improvement", "Inadequate", "Not Rated"]
DOMAINS = ["Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led"]

SUITE = Suite(
    name="raw_cqc_ratings",
    batches=(
        Batch(
            name="raw_cqc_ratings",
            description="One row per location x service / population group x domain (a month's file).",
            query="select * from raw.cqc_ratings",
            expectations=lambda: [
                rows_between(100, 1_000_000),
                matches("_period", r"^\d{4}-(0[1-9]|1[0-2])$"),
                matches("location_id", r"^1-\d+$"),
                matches("provider_id", r"^1-\d+$"),
                in_set("latest_rating", RATINGS),
                in_set("domain", DOMAINS),
                not_null("local_authority_name"),
                not_null("publication_date"),
            ],
        ),
        Batch(
            name="raw_cqc_ratings__publication_dates",
            description="Ratings are published before the end of the file's month and within the last 15 years.",
            query="""
                select *, date_diff('day', publication_date, month_end) as days_before_month_end
                from (select *, last_day(cast(_period || '-01' as date)) as month_end from raw.cqc_ratings)
            """,
            expectations=lambda: [between("days_before_month_end", 0, 15 * 366)],
        ),
        Batch(
            name="raw_cqc_ratings__one_overall_rating_per_location",
            description=(
                "A location has at most one Overall / Overall rating (the headline rating), and nearly "
                "every location has one (whether CQC always publishes it is unverified)."
            ),
            query="""
                select _period, location_id,
                    count(*) filter (where domain = 'Overall' and service_population_group = 'Overall')
                        as overall_ratings
                from raw.cqc_ratings group by 1, 2
            """,
            expectations=lambda: [between("overall_ratings", 0, 1), between("overall_ratings", 1, 1, mostly=0.95)],
        ),
    ),
)
