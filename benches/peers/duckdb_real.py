"""In-scope counts of benches/real.scope (the real job of issue 13), with DuckDB.

Candidates of each app: users assigned directly (by objectId or userPrincipalName) and
direct User members of the groups assigned to it; members of nested groups are not
candidates (S24). Ids are compared ignoring case. Then each stage's filters, with NULL
comparisons not true (S6). Usage: duckdb_real.py USERS.csv ASSIGNMENTS.csv
GROUP-MEMBERS.csv. Prints one line per stage, `app<TAB>stage<TAB>count`, then the
in-process time on stderr.
"""
import sys
import time

import duckdb

t0 = time.perf_counter()
users_csv, assignments_csv, members_csv = sys.argv[1:4]
con = duckdb.connect()
con.execute("SET threads = 2")
sql = f"""
WITH a AS (
  SELECT app, lower(principalType) AS type, lower(principalId) AS id
  FROM read_csv('{assignments_csv}', all_varchar = true, header = true)
), m AS (
  SELECT lower(groupId) AS grp, lower(memberId) AS id, lower(coalesce(memberType, 'User')) AS type
  FROM read_csv('{members_csv}', all_varchar = true, header = true)
), ids AS (
  SELECT app, id FROM a WHERE type = 'user'
  UNION
  SELECT a.app, m.id FROM a JOIN m ON a.id = m.grp WHERE a.type = 'group' AND m.type = 'user'
), u AS (
  SELECT lower(objectId) AS oid, lower(userPrincipalName) AS upn, department, country, jobTitle,
         employeeType, extensionAttribute2, mail, companyName, usageLocation
  FROM read_csv('{users_csv}', all_varchar = true, header = true)
), f AS (
  SELECT
    (oid IN (SELECT id FROM ids WHERE app = 'Salesforce')
     OR upn IN (SELECT id FROM ids WHERE app = 'Salesforce')) AS sf,
    (oid IN (SELECT id FROM ids WHERE app = 'ServiceNow')
     OR upn IN (SELECT id FROM ids WHERE app = 'ServiceNow')) AS sn,
    coalesce(department = 'IT' AND regexp_matches(country, '^(DE|AT|CH)$'), false) AS pilot,
    coalesce(department = 'Sales' AND contains(jobTitle, 'Manager'), false) AS sales_managers,
    coalesce(employeeType <> 'Contractor' AND extensionAttribute2 IS NOT NULL, false) AS employees,
    coalesce(department = 'Support', false) AS agents,
    coalesce(contains(jobTitle, 'Engineer') AND regexp_matches(mail, '@contoso\\.com$'), false) AS engineers,
    coalesce(companyName IS NOT NULL AND usageLocation <> 'CN', false) AS everyone
  FROM u
)
SELECT
  count(*) FILTER (WHERE sf AND pilot),
  count(*) FILTER (WHERE sf AND (pilot OR sales_managers)),
  count(*) FILTER (WHERE sf AND employees),
  count(*) FILTER (WHERE sn AND agents),
  count(*) FILTER (WHERE sn AND (agents OR engineers)),
  count(*) FILTER (WHERE sn AND everyone)
FROM f
"""
counts = con.execute(sql).fetchone()
names = [("Salesforce", "pilot"), ("Salesforce", "wave-1"), ("Salesforce", "employees"),
         ("ServiceNow", "agents"), ("ServiceNow", "agents-and-engineers"), ("ServiceNow", "everyone")]
for (a, s), n in zip(names, counts):
    print(f"{a}\t{s}\t{n}")
print(f"duckdb in-process: {time.perf_counter() - t0:.3f} s", file=sys.stderr)
