{#
  ops.build names the build the marts come from: on-run-start stamps this invocation as
  'building', on-run-end as 'built' (or 'failed' when a node errored or a test failed). The
  publication gate records the build it validated, and publish refuses marts from any other
  build (another run rebuilt them since), so what is published is always what was validated.
  A killed build leaves 'building': nothing is published until a build finishes.
  Only commands that change relations stamp (not compile, docs generate, test or debug).
#}
{% macro _stamps_build() %}
  {{ return(flags.WHICH in ('build', 'run', 'seed', 'snapshot')) }}
{% endmacro %}

{% macro stamp_build_start() %}
  {% if execute and _stamps_build() %}
    create schema if not exists ops;
    create or replace table ops.build as
    select '{{ invocation_id }}' as build_id, '{{ flags.WHICH }}' as command,
           'building' as state, now() as started_at, cast(null as timestamptz) as finished_at;
  {% endif %}
{% endmacro %}

{% macro stamp_build_end(results) %}
  {% if execute and _stamps_build() %}
    {% set bad = results | selectattr('status', 'in', ['error', 'fail', 'runtime error']) | list %}
    update ops.build set state = '{{ "failed" if bad else "built" }}', finished_at = now()
    where build_id = '{{ invocation_id }}';
  {% endif %}
{% endmacro %}
