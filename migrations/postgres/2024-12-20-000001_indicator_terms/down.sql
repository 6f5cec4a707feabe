ALTER TABLE indicators DROP COLUMN labels_from;
ALTER TABLE indicators DROP COLUMN superseded_by;
ALTER TABLE indicators DROP COLUMN superseded_from;
