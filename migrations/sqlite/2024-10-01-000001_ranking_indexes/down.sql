DROP INDEX report_scores_cover;
DROP INDEX reports_period_cover;
