"""In-scope counts of the six filter sets of benches/perf.scope, with Polars.

The peer an administrator would write by hand: read the export, filter, count. Prints
one line per stage, `app<TAB>stage<TAB>count`, then the in-process time on stderr.
Null handling matches Entra (and scopesim): empty cells are null, and a comparison with
null is not true, so NOT EQUALS drops users whose value is blank (spec S6).
"""
import sys
import time

import polars as pl

t0 = time.perf_counter()
path = sys.argv[1]
cols = ["department", "country", "jobTitle", "employeeType", "extensionAttribute2",
        "mail", "companyName", "usageLocation"]
df = pl.read_csv(path, columns=cols, infer_schema=False)

dept = pl.col("department")
pilot = (dept == "IT") & pl.col("country").str.contains(r"^(DE|AT|CH)$")
wave1 = pilot | ((dept == "Sales") & pl.col("jobTitle").str.contains("Manager", literal=True))
employees = (pl.col("employeeType") != "Contractor") & pl.col("extensionAttribute2").is_not_null()
agents = dept == "Support"
engineers = agents | (pl.col("jobTitle").str.contains("Engineer", literal=True)
                      & pl.col("mail").str.contains(r"@contoso\.com$"))
everyone = pl.col("companyName").is_not_null() & (pl.col("usageLocation") != "CN")

stages = [("Salesforce", "pilot", pilot), ("Salesforce", "wave-1", wave1),
          ("Salesforce", "employees", employees), ("ServiceNow", "agents", agents),
          ("ServiceNow", "agents-and-engineers", engineers), ("ServiceNow", "everyone", everyone)]
counts = df.select([e.fill_null(False).sum().alias(f"{a}/{s}") for a, s, e in stages]).row(0)
for (a, s, _), n in zip(stages, counts):
    print(f"{a}\t{s}\t{n}")
print(f"polars in-process: {time.perf_counter() - t0:.3f} s", file=sys.stderr)
