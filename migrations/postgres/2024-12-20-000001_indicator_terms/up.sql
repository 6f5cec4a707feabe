-- Terms that change with a reform, data of the catalog: the month an indicator is superseded
-- from, the indicators that replace it (a JSON array), and labels from a month on (JSON).
ALTER TABLE indicators ADD COLUMN superseded_from TEXT;
ALTER TABLE indicators ADD COLUMN superseded_by TEXT NOT NULL DEFAULT '[]';
ALTER TABLE indicators ADD COLUMN labels_from TEXT NOT NULL DEFAULT '[]';
