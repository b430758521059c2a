-- NHS England's practice-level populations with each practice's district on April 2023 boundaries:
-- the file names districts as they were in 2021 (LAD21), so a practice in a district the 2023
-- reorganisations merged (Allerdale, Craven, Mendip, ...) counts in the unitary it became (ONS's
-- LAD22 to LAD23 lookup; no English district changed code between 2021 and 2022).
-- published_area_code keeps the file's own code.
with

practice_weights as (

    select * from {{ ref('stg_nhs_gp_weighted_population__practice_weights') }}

),

successors as (

    select * from {{ ref('stg_ons_lad_successor_lookup__successors') }}

),

remapped as (

    select
        practice_weights.* replace (coalesce(successors.area_code, practice_weights.area_code) as area_code),
        practice_weights.area_code as published_area_code

    from practice_weights
    left join successors
        on practice_weights.area_code = successors.predecessor_area_code

)

select * from remapped
