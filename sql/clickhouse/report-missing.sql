-- The weeks of the period in which a region has no rows in sales_agg.
-- {from:Date} is the first week's Monday, {to:Date} the last week's Sunday.
SELECT
    toString(w.week_start) AS monday,
    r.region AS region
FROM
(
    SELECT addDays(
             {from:Date},
             7 * arrayJoin(range(toUInt32(intDiv(dateDiff('day', {from:Date}, {to:Date}), 7) + 1)))
           ) AS week_start
) AS w
CROSS JOIN
(
    SELECT arrayJoin(['North', 'South', 'East', 'West']) AS region
) AS r
WHERE (w.week_start, r.region) NOT IN
(
    SELECT week_start, region
    FROM sales_etl.sales_agg
    WHERE week_start BETWEEN {from:Date} AND {to:Date}
)
ORDER BY w.week_start, indexOf(['North', 'South', 'East', 'West'], region)
