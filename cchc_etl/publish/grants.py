"""The read-only BI role: :func:`grant_read_only`."""

from __future__ import annotations

import contextlib

import psycopg
from psycopg import sql

from cchc_etl.publish.connection import pg_connect
from cchc_etl.publish.ddl import ensure_schema
from cchc_etl.publish.errors import ADVISORY_LOCK_KEY, PublishError

READABLE_SCHEMAS = ("bi", "marts")
#: schemas the BI role must not read (staging/core/raw are not published, but may exist)
PRIVATE_SCHEMAS = ("quality", "warehouse", "staging", "core", "raw")


def grant_read_only(pg_url: str, role: str, *, publisher: str | None = None) -> list[str]:
    """Create or update ``role`` as the read-only BI role; returns the statements executed.

    - ``role`` is NOLOGIN (a group): logins get access with ``GRANT <role> TO <login>``; its
      own memberships in other roles (e.g. pg_read_all_data) are revoked.
    - USAGE on schemas ``bi`` and ``marts`` and SELECT on every table and view there; no
      INSERT/UPDATE/DELETE/TRUNCATE/REFERENCES/TRIGGER, no CREATE.
    - ``ALTER DEFAULT PRIVILEGES FOR ROLE <publisher>`` in ``bi`` and ``marts``: tables and views
      that later publishes create are readable too. ``publisher`` is the role that publishes
      (default: the user of ``pg_url``; run the grants as that user or a superuser).
    - Nothing on ``quality`` (the quarantine's raw values; BI reads ``bi.file_log`` and
      ``bi.quarantine_summary``), ``warehouse``, ``staging``, ``core``, ``raw``: revoked from the
      role and from PUBLIC. CREATE on schema ``public`` is revoked from PUBLIC when granted
      (PostgreSQL 15 no longer grants it; older clusters did).
    - A publisher that is no superuser and lacks CREATEROLE only grants: an administrator
      creates the role once (``CREATE ROLE <role> NOLOGIN``). A missing role, or one whose
      attributes or memberships need an administrator, is refused with the statement to run
      (:class:`PublishError`, nothing changed). Grants on the database and on schemas the
      publisher does not own are left to their owner; a private schema the role can use and the
      publisher cannot revoke is refused.
    """
    done: list[str] = []
    with contextlib.closing(pg_connect(pg_url)) as conn:
        me, superuser, createrole = conn.execute(
            "SELECT rolname, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user").fetchone()
        if not (superuser or createrole) and conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone() is None:
            conn.rollback()  # checked before any DDL: a refused grants changes nothing
            create = sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)).as_string(conn)
            raise PublishError(_admin_needed(me, role, f"vai trò {role} chưa tồn tại / role {role} does not exist", create))
        conn.rollback()
        ensure_schema(conn)  # schemas, tables and views, so that the grants cover them now
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            owner = publisher or me
            r, o = sql.Identifier(role), sql.Identifier(owner)

            def run(stmt: sql.Composable) -> None:
                cur.execute(stmt)
                done.append(stmt.as_string(conn))

            def run_as_admin(stmt: sql.Composable, why: str) -> None:
                """A statement on the role itself (CREATEROLE / ADMIN OPTION): refused with the admin's statement."""
                try:
                    with conn.transaction():
                        run(stmt)
                except psycopg.errors.InsufficientPrivilege:
                    raise PublishError(_admin_needed(me, role, why, stmt.as_string(conn))) from None

            attrs = cur.execute(
                "SELECT rolsuper, rolcanlogin, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = %s",
                [role]).fetchone()
            if attrs is None:
                run_as_admin(sql.SQL("CREATE ROLE {} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(r),
                             f"vai trò {role} chưa tồn tại / role {role} does not exist")
            else:
                wrong = [kw for kw, on in zip(("NOSUPERUSER", "NOLOGIN", "NOCREATEDB", "NOCREATEROLE", "NOREPLICATION", "NOBYPASSRLS"), attrs) if on]
                if wrong:
                    run_as_admin(sql.SQL("ALTER ROLE {} " + " ".join(wrong)).format(r),
                                 f"vai trò {role} có quyền thừa / role {role} has {', '.join(w[2:] for w in wrong)}")
                for (group,) in cur.execute(
                        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                        "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s", [role]).fetchall():
                    run_as_admin(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), r),
                                 f"vai trò {role} là thành viên của / role {role} is a member of {group}")
            database = cur.execute("SELECT current_database()").fetchone()[0]
            if superuser or cur.execute("SELECT has_database_privilege(current_database(), 'CONNECT WITH GRANT OPTION')").fetchone()[0]:
                run(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), r))
            # a publisher owning neither the database nor schema public: those grants are the owner's (PUBLIC has CONNECT)
            owns_public = superuser or bool((cur.execute(
                "SELECT pg_has_role(current_user, nspowner, 'USAGE') FROM pg_namespace WHERE nspname = 'public'").fetchone() or [False])[0])
            public_create = cur.execute(
                "SELECT bool_or(a.grantee = 0 AND a.privilege_type = 'CREATE') FROM pg_namespace n, aclexplode(n.nspacl) a "
                "WHERE n.nspname = 'public'").fetchone()
            if public_create and public_create[0] and owns_public:  # clusters older than PostgreSQL 15 let everyone create in public
                run(sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
            if owns_public and cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'public'").fetchone():
                run(sql.SQL("REVOKE ALL ON SCHEMA public FROM {}").format(r))
                run(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(r))
            for s in READABLE_SCHEMAS:
                si = sql.Identifier(s)
                run(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(si))
                run(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(si, r))
                run(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(si, r))
                run(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM PUBLIC").format(si))
                run(sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {} FROM {}").format(si, r))
                run(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(si, r))
                run(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT ON TABLES TO {}").format(o, si, r))
                run(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} REVOKE INSERT, UPDATE, DELETE, TRUNCATE, "
                            "REFERENCES, TRIGGER ON TABLES FROM {}").format(o, si, r))
            existing = {s for (s,) in cur.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [list(PRIVATE_SCHEMAS)])}
            for s in PRIVATE_SCHEMAS:
                if s not in existing:
                    continue
                owned = superuser or cur.execute(
                    "SELECT pg_has_role(current_user, nspowner, 'USAGE') FROM pg_namespace WHERE nspname = %s", [s]).fetchone()[0]
                if not owned:  # not ours to revoke: then the role must not be able to read it anyway
                    if cur.execute("SELECT has_schema_privilege(%s, %s, 'USAGE')", [role, s]).fetchone()[0]:
                        raise PublishError(
                            f"vai trò {role} đọc được schema {s} mà {me} không sở hữu; quản trị viên thu hồi quyền: REVOKE ALL ON "
                            f"SCHEMA {s} FROM PUBLIC, {role}; / role {role} can use schema {s}, which {me} does not own: an "
                            f"administrator revokes it (REVOKE ALL ON SCHEMA {s} FROM PUBLIC, {role};), then rerun cchc-etl grants")
                    continue
                si = sql.Identifier(s)
                run(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC, {}").format(si, r))
                run(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM PUBLIC, {}").format(si, r))
                run(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} REVOKE ALL ON TABLES FROM {}").format(o, si, r))
    return done


def _admin_needed(me: str, role: str, why: str, statement: str) -> str:
    return (f"{why}: {me} không có quyền CREATEROLE (hoặc ADMIN) trên vai trò này; quản trị viên chạy một lần: {statement}; "
            f"rồi chạy lại cchc-etl grants / {me} lacks CREATEROLE (or ADMIN OPTION) for it: an administrator runs "
            f"once: {statement}; then rerun cchc-etl grants (docs/operations/postgresql.md)")
