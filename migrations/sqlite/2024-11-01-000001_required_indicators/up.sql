-- Which figures a submitted (not draft) report must carry; data of the catalog.
ALTER TABLE indicators ADD COLUMN required_on_submit BOOLEAN NOT NULL DEFAULT FALSE;
