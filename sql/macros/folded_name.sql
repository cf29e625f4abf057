-- name: folded_name
-- grain: scalar macro; a company or title as the duplicate rule and company cuts compare it
-- reads: nothing
-- Lower case, and only the letters, combining marks and digits of any script, after NFC (so a
-- name typed with a combining accent folds as its precomposed twin does). Spaces, punctuation
-- and symbols drop out: 'Acme, Inc.' and 'ACME Inc' fold alike. Letters stay in their own
-- script: the ASCII-only fold this replaced turned 'Яндекс', '株式会社メルカリ' and every other
-- name without a Latin letter or digit into '', the fold of a missing company, so their
-- postings shared one duplicate block and no company cut; and it dropped accented letters
-- ('Société' -> 'socit'). Accents are kept, not stripped: stripping takes the voicing marks
-- off Japanese kana ('ガ' -> 'カ') and would merge different names.
create or replace macro folded_name(value) as
    regexp_replace(lower(nfc_normalize(value)), '[^\p{L}\p{M}\p{N}]', '', 'g');
