DROP TABLE report_scores;
DROP TABLE scoring_schemes;
