ALTER TABLE indicators DROP COLUMN required_on_submit;
