-- Where each change came from (issue 32): the client's address, behind a trusted proxy the one it
-- forwarded (http.trustedProxies). Null in rows written before, and for changes no client made.
ALTER TABLE identity_audit ADD COLUMN actor_address text;
