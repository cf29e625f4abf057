-- name: posting_key_of
-- grain: scalar macro; one posting's key, the same for every copy of it a source serves again
-- reads: nothing
-- md5 of source|board|source_posting_id, each field with '\' and '|' escaped first, so two
-- different triples never share a key: unescaped, ('a|b', 'c', x) and ('a', 'b|c', x) both
-- read 'a|b|c|x', and their postings, mentions and skills were merged. Fields holding neither
-- character, which is every real one seen so far, keep the key the unescaped form gave them.
create or replace macro posting_key_of(source, board, source_posting_id) as md5(
    replace(replace(source, '\', '\\'), '|', '\|')
    || '|' || replace(replace(board, '\', '\\'), '|', '\|')
    || '|' || replace(replace(source_posting_id, '\', '\\'), '|', '\|')
);
