-- marts.period_report: methodology §2 per unit, rolled up to department and city by summing
-- the member units' counts through the structure in force ("as was").
WITH per_unit AS (
    SELECT
        unit_code,
        count(*) FILTER (WHERE is_carried_over) AS rpt_carried_over,
        count(*) FILTER (WHERE is_received) AS rpt_received,
        count(*) FILTER (WHERE is_received AND channel = 'direct') AS rpt_received_direct,
        count(*) FILTER (WHERE is_received AND channel = 'online') AS rpt_received_online,
        count(*) FILTER (WHERE is_received AND channel = 'postal') AS rpt_received_postal,
        count(*) FILTER (WHERE is_resolved_early) AS rpt_resolved_early,
        count(*) FILTER (WHERE is_resolved_on_time) AS rpt_resolved_on_time,
        count(*) FILTER (WHERE is_resolved_late) AS rpt_resolved_late,
        count(*) FILTER (WHERE is_withdrawn_rejected) AS rpt_withdrawn_rejected,
        count(*) FILTER (WHERE is_pending_within) AS rpt_pending_within,
        count(*) FILTER (WHERE is_pending_overdue) AS rpt_pending_overdue
    FROM core.fct_dossier_month_end
    WHERE period_start = $period_start
    GROUP BY unit_code
)
SELECT
    r.period_start,
    r.rollup_code AS org_unit_code,
    r.rollup_level AS org_level,
    coalesce(sum(p.rpt_carried_over), 0) AS rpt_carried_over,
    coalesce(sum(p.rpt_received), 0) AS rpt_received,
    coalesce(sum(p.rpt_received_direct), 0) AS rpt_received_direct,
    coalesce(sum(p.rpt_received_online), 0) AS rpt_received_online,
    coalesce(sum(p.rpt_received_postal), 0) AS rpt_received_postal,
    coalesce(sum(p.rpt_resolved_early), 0) AS rpt_resolved_early,
    coalesce(sum(p.rpt_resolved_on_time), 0) AS rpt_resolved_on_time,
    coalesce(sum(p.rpt_resolved_late), 0) AS rpt_resolved_late,
    coalesce(sum(p.rpt_withdrawn_rejected), 0) AS rpt_withdrawn_rejected,
    coalesce(sum(p.rpt_pending_within), 0) AS rpt_pending_within,
    coalesce(sum(p.rpt_pending_overdue), 0) AS rpt_pending_overdue
FROM core.org_rollup AS r
LEFT JOIN per_unit AS p ON r.member_code = p.unit_code
WHERE r.period_type = 'month' AND r.period_start = $period_start
GROUP BY r.period_start, r.rollup_code, r.rollup_level
