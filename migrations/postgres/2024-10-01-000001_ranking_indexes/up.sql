-- Rankings read a month's reports and their scores for thousands of communes: these indexes
-- hold every column those reads need, so the wide rows (values, narrative, score cards) are
-- never touched.
CREATE INDEX reports_period_cover ON reports (period, unit_code, id, revision, status, submitted_at);
CREATE INDEX report_scores_cover ON report_scores (report_id, revision, scheme_id, total, band);
