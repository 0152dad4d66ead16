"""In-scope counts of benches/real.scope (the real job of issue 13), with Polars.

The peer an administrator would write by hand for `scope assigned`: read the users, the
assignments and the group members, take as candidates of each app the users assigned
directly (by objectId or userPrincipalName) and the direct User members of the groups
assigned to it (members of nested groups are not candidates, S24), then apply each
stage's filters. Ids are compared ignoring case, as Entra (and scopesim) compare them.
Usage: polars_real.py USERS.csv ASSIGNMENTS.csv GROUP-MEMBERS.csv. Prints one line per
stage, `app<TAB>stage<TAB>count`, then the in-process time on stderr. Empty cells are null,
and a comparison with null is not true (spec S6).
"""
import sys
import time

import polars as pl

t0 = time.perf_counter()
users_csv, assignments_csv, members_csv = sys.argv[1:4]
cols = ["objectId", "userPrincipalName", "department", "country", "jobTitle", "employeeType",
        "extensionAttribute2", "mail", "companyName", "usageLocation"]
users = pl.read_csv(users_csv, columns=cols, infer_schema=False)
assignments = pl.read_csv(assignments_csv, infer_schema=False).select(
    pl.col("app"),
    pl.col("principalType").str.to_lowercase().alias("type"),
    pl.col("principalId").str.to_lowercase().alias("id"),
)
members = pl.read_csv(members_csv, infer_schema=False).select(
    pl.col("groupId").str.to_lowercase().alias("group"),
    pl.col("memberId").str.to_lowercase().alias("id"),
    pl.col("memberType").fill_null("User").str.to_lowercase().alias("type"),
).filter(pl.col("type") == "user")
oid = pl.col("objectId").str.to_lowercase()
upn = pl.col("userPrincipalName").str.to_lowercase()


def candidates(app):
    mine = assignments.filter(pl.col("app") == app)
    direct = mine.filter(pl.col("type") == "user").get_column("id")
    groups = mine.filter(pl.col("type") == "group").get_column("id")
    via = members.filter(pl.col("group").is_in(groups.implode())).get_column("id")
    ids = pl.concat([direct, via]).unique().implode()
    return oid.is_in(ids) | upn.is_in(ids)


dept = pl.col("department")
pilot = (dept == "IT") & pl.col("country").str.contains(r"^(DE|AT|CH)$")
wave1 = pilot | ((dept == "Sales") & pl.col("jobTitle").str.contains("Manager", literal=True))
employees = (pl.col("employeeType") != "Contractor") & pl.col("extensionAttribute2").is_not_null()
agents = dept == "Support"
engineers = agents | (pl.col("jobTitle").str.contains("Engineer", literal=True)
                      & pl.col("mail").str.contains(r"@contoso\.com$"))
everyone = pl.col("companyName").is_not_null() & (pl.col("usageLocation") != "CN")

sf, sn = candidates("Salesforce"), candidates("ServiceNow")
stages = [("Salesforce", "pilot", sf & pilot), ("Salesforce", "wave-1", sf & wave1),
          ("Salesforce", "employees", sf & employees), ("ServiceNow", "agents", sn & agents),
          ("ServiceNow", "agents-and-engineers", sn & engineers),
          ("ServiceNow", "everyone", sn & everyone)]
counts = users.select([e.fill_null(False).sum().alias(f"{a}/{s}") for a, s, e in stages]).row(0)
for (a, s, _), n in zip(stages, counts):
    print(f"{a}\t{s}\t{n}")
print(f"polars in-process: {time.perf_counter() - t0:.3f} s", file=sys.stderr)
