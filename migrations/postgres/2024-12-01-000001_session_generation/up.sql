-- Tokens carry the generation they were issued under; signing out, a new password and
-- disabling move a user to the next, which ends every token issued before.
ALTER TABLE users ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;
