"""In-scope counts of the six filter sets of benches/perf.scope, with DuckDB.

Prints one line per stage, `app<TAB>stage<TAB>count`, then the in-process time on stderr.
Empty cells are read as NULL, and SQL comparisons with NULL are not true, which is
Entra's rule for NOT EQUALS on a blank value (spec S6).
"""
import sys
import time

import duckdb

t0 = time.perf_counter()
path = sys.argv[1]
con = duckdb.connect()
con.execute("SET threads = 2")
sql = f"""
WITH u AS (
  SELECT department, country, jobTitle, employeeType, extensionAttribute2, mail,
         companyName, usageLocation
  FROM read_csv('{path}', all_varchar = true, header = true)
), f AS (
  SELECT
    coalesce(department = 'IT' AND regexp_matches(country, '^(DE|AT|CH)$'), false) AS pilot,
    coalesce(department = 'Sales' AND contains(jobTitle, 'Manager'), false) AS sales_managers,
    coalesce(employeeType <> 'Contractor' AND extensionAttribute2 IS NOT NULL, false) AS employees,
    coalesce(department = 'Support', false) AS agents,
    coalesce(contains(jobTitle, 'Engineer') AND regexp_matches(mail, '@contoso\\.com$'), false) AS engineers,
    coalesce(companyName IS NOT NULL AND usageLocation <> 'CN', false) AS everyone
  FROM u
)
SELECT
  count(*) FILTER (WHERE pilot),
  count(*) FILTER (WHERE pilot OR sales_managers),
  count(*) FILTER (WHERE employees),
  count(*) FILTER (WHERE agents),
  count(*) FILTER (WHERE agents OR engineers),
  count(*) FILTER (WHERE everyone)
FROM f
"""
counts = con.execute(sql).fetchone()
names = [("Salesforce", "pilot"), ("Salesforce", "wave-1"), ("Salesforce", "employees"),
         ("ServiceNow", "agents"), ("ServiceNow", "agents-and-engineers"), ("ServiceNow", "everyone")]
for (a, s), n in zip(names, counts):
    print(f"{a}\t{s}\t{n}")
print(f"duckdb in-process: {time.perf_counter() - t0:.3f} s", file=sys.stderr)
