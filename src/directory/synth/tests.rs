//! Tests of the synthetic directory generator: reproducibility, shapes and proportions.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::*;

fn opts(users: usize, seed: u64, dir: &Path, formats: &[GenFormat]) -> GenOptions {
    GenOptions {
        users,
        seed,
        out_dir: dir.to_path_buf(),
        formats: formats.to_vec(),
        json_page_size: DEFAULT_JSON_PAGE_SIZE,
    }
}

fn digests(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let bytes = fs::read(entry.path()).unwrap();
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        out.insert(entry.file_name().to_string_lossy().into_owned(), hex);
    }
    out
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

/// 20,000 users in every format, generated once for the tests that only read.
struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    summary: GenSummary,
}

const FIXTURE_USERS: usize = 20_000;

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/nested"); // also checks that DIR is created
        let summary = generate(&opts(FIXTURE_USERS, 7, &path, &GenFormat::ALL)).unwrap();
        Fixture {
            _dir: dir,
            path,
            summary,
        }
    })
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::None)
        .from_path(path)
        .unwrap();
    let header = rdr.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[test]
fn same_seed_same_bytes_with_one_or_two_threads() {
    // Three blocks (two full, one partial) and, with one thread, two windows.
    let users = 2 * BLOCK_USERS + 1_234;
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let sa = in_pool(1, || generate(&opts(users, 42, a.path(), &GenFormat::ALL))).unwrap();
    let sb = in_pool(2, || generate(&opts(users, 42, b.path(), &GenFormat::ALL))).unwrap();
    let (da, db) = (digests(a.path()), digests(b.path()));
    assert_eq!(da, db);
    assert_eq!(da.len(), 7, "{da:?}");
    assert_eq!(sa.users, sb.users);
    assert_eq!(sa.guests, sb.guests);

    // The users themselves do not depend on the formats requested.
    let c = tempfile::tempdir().unwrap();
    generate(&opts(users, 42, c.path(), &[GenFormat::Csv])).unwrap();
    let dc = digests(c.path());
    for name in [USERS_CSV, GROUPS_CSV, GROUP_MEMBERS_CSV, ASSIGNMENTS_CSV] {
        assert_eq!(dc[name], da[name], "{name}");
    }
}

#[test]
fn different_seed_different_files() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    generate(&opts(500, 1, a.path(), &[GenFormat::Csv])).unwrap();
    generate(&opts(500, 2, b.path(), &[GenFormat::Csv])).unwrap();
    let (da, db) = (digests(a.path()), digests(b.path()));
    for name in [USERS_CSV, GROUPS_CSV, GROUP_MEMBERS_CSV, ASSIGNMENTS_CSV] {
        assert_ne!(da[name], db[name], "{name}");
    }
}

#[test]
fn writes_exactly_the_listed_files() {
    let f = fixture();
    let mut names: Vec<String> = fs::read_dir(&f.path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut listed: Vec<String> = f
        .summary
        .files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listed.last().map(String::as_str), Some(MANIFEST_JSON));
    listed.sort();
    assert_eq!(names, listed, "no temporary files left behind");
    assert_eq!(
        names,
        [
            ASSIGNMENTS_CSV,
            GROUP_MEMBERS_CSV,
            GROUPS_CSV,
            MANIFEST_JSON,
            USERS_CSV,
            USERS_JSON,
            USERS_NDJSON
        ]
    );
    assert!(f.summary.files.iter().all(|p| p.starts_with(&f.path)));
}

#[test]
fn users_csv_shape_and_shares() {
    let f = fixture();
    let raw = fs::read(f.path.join(USERS_CSV)).unwrap();
    assert!(!raw.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    assert!(std::str::from_utf8(&raw).is_ok());
    let (header, rows) = read_csv(&f.path.join(USERS_CSV));
    assert_eq!(header, CSV_COLUMNS);
    assert_eq!(
        CSV_COLUMNS.join(","),
        "userPrincipalName,displayName,surname,mail,givenName,objectId,userType,jobTitle,department,accountEnabled,usageLocation,streetAddress,state,country,physicalDeliveryOfficeName,city,postalCode,telephoneNumber,mobile,authenticationAlternativePhoneNumber,authenticationEmail,alternateEmailAddress,ageGroup,consentProvidedForMinor,legalAgeGroupClassification,companyName,employeeId,employeeType,extensionAttribute1,extensionAttribute2"
    );
    assert_eq!(rows.len(), FIXTURE_USERS);
    assert_eq!(f.summary.users, FIXTURE_USERS);

    let n = rows.len() as f64;
    let h: HashMap<&str, usize> = CSV_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i))
        .collect();
    let count = |c: &str, p: &dyn Fn(&str) -> bool| rows.iter().filter(|r| p(&r[h[c]])).count();
    let share = |c: &str, p: &dyn Fn(&str) -> bool| count(c, p) as f64 / n;

    let guests = count("userType", &|v| v == "Guest");
    let disabled = count("accountEnabled", &|v| v == "False");
    assert_eq!(guests, f.summary.guests);
    assert_eq!(disabled, f.summary.disabled);
    assert_eq!(
        count("accountEnabled", &|v| v.is_empty()),
        f.summary.account_enabled_blank
    );
    assert_eq!(count("userType", &|v| v == "Member") + guests, rows.len());
    assert_eq!(
        count("accountEnabled", &|v| ["True", "False", ""].contains(&v)),
        rows.len()
    );
    let in_range = |x: f64, lo: f64, hi: f64, what: &str| {
        assert!((lo..=hi).contains(&x), "{what}: {x}");
    };
    in_range(guests as f64 / n, 0.10, 0.14, "guests");
    in_range(disabled as f64 / n, 0.06, 0.08, "disabled");
    in_range(
        share("accountEnabled", &|v| v.is_empty()),
        0.005,
        0.015,
        "enabled blank",
    );
    in_range(
        share("department", &|v| v.is_empty()),
        0.04,
        0.06,
        "department blank",
    );
    let canonical: HashSet<&str> = data::DEPARTMENTS.iter().map(|d| d.name).collect();
    let wrong_case = share("department", &|v| {
        !v.is_empty() && !canonical.contains(v) && v.trim() == v
    });
    in_range(wrong_case, 0.006, 0.014, "department wrong case");
    let spacey = share("department", &|v| !v.is_empty() && v.trim() != v);
    in_range(spacey, 0.001, 0.006, "department whitespace");
    assert!(count("department", &|v| v == "Sales ") > 0);
    assert!(count("department", &|v| v == "sales" || v == "SALES") > 0);
    assert!(count("department", &|v| !v.is_empty() && v.trim().is_empty()) > 0);
    in_range(share("department", &|v| v == "Sales"), 0.15, 0.25, "Sales");
    assert!(count("country", &|v| v == "de") > 0);
    assert!(count("country", &|v| v.is_empty()) > 0);
    assert!(
        rows.iter()
            .all(|r| r[h["country"]].is_empty() || r[h["country"]].len() == 2)
    );
    in_range(
        share("usageLocation", &|v| !v.is_empty()),
        0.95,
        0.99,
        "usageLocation set",
    );
    for t in ["Employee", "Contractor", "Intern", "Vendor", ""] {
        assert!(count("employeeType", &|v| v == t) > 0, "employeeType {t:?}");
    }
    let ext1_int = share("extensionAttribute1", &|v| {
        !v.is_empty() && !v.starts_with('0') && v.parse::<u32>().is_ok()
    });
    in_range(ext1_int, 0.8, 0.9, "ext1 integer");
    assert!(
        count("extensionAttribute1", &|v| v.len() > 1
            && v.starts_with('0'))
            > 0
    );
    assert!(count("extensionAttribute1", &|v| v == "n/a") > 0);
    assert!(
        count("extensionAttribute1", &|v| v == "1,5") > 0,
        "quoted comma"
    );
    assert!(
        count("extensionAttribute2", &|v| {
            v.len() == 7 && v.starts_with("CC-") && v[3..].parse::<u16>().is_ok()
        }) > rows.len() / 2
    );
    assert!(
        count("companyName", &|v| v == "Contoso, Inc.") > 0,
        "quoted comma"
    );
    assert!(count("displayName", &|v| v.contains(", ")) > 0);
    assert!(
        count("employeeId", &|v| v.len() == 6
            && v.bytes().all(|b| b.is_ascii_digit()))
            > rows.len() / 2
    );
    assert!(count("employeeId", &|v| !v.is_empty() && v.len() != 6) == 0);
    for name in ["José", "Zoë", "Łukasz", "Søren"] {
        assert!(count("givenName", &|v| v == name) > 0, "{name}");
    }
    assert!(count("telephoneNumber", &|v| v.starts_with("+49 30 ")) > 0);
    assert!(count("mobile", &|v| v.is_empty()) > 0);

    // Identities.
    let mut upns = HashSet::new();
    let mut ids = HashSet::new();
    for r in &rows {
        let upn = &r[h["userPrincipalName"]];
        let id = &r[h["objectId"]];
        assert!(upns.insert(upn.to_ascii_lowercase()), "duplicate UPN {upn}");
        assert!(ids.insert(id.clone()), "duplicate objectId {id}");
        assert!(is_uuid_v4(id), "{id}");
        assert!(upn.is_ascii());
        if r[h["userType"]] == "Guest" {
            assert!(upn.ends_with("#EXT#@contoso.onmicrosoft.com"), "{upn}");
            assert!(upn.contains('_'));
        } else {
            assert_eq!(upn, &r[h["mail"]]);
            assert!(upn.to_ascii_lowercase().ends_with("@contoso.com"), "{upn}");
        }
    }

    // Row size: the "Download users" file is ~200-260 bytes a row.
    let avg = (raw.len() - CSV_COLUMNS.join(",").len() - 1) as f64 / n;
    in_range(avg, 200.0, 260.0, "average row bytes");
}

fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

#[test]
fn users_json_pages_match_csv_and_ndjson() {
    let f = fixture();
    let text = fs::read_to_string(f.path.join(USERS_JSON)).unwrap();
    let pages: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(pages.len(), FIXTURE_USERS.div_ceil(DEFAULT_JSON_PAGE_SIZE));
    let mut users = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let obj = page.as_object().unwrap();
        let ctx = obj["@odata.context"].as_str().unwrap();
        assert!(ctx.starts_with("https://graph.microsoft.com/v1.0/$metadata#users("));
        let value = obj["value"].as_array().unwrap();
        let last = i + 1 == pages.len();
        if last {
            assert!(!obj.contains_key("@odata.nextLink"));
            assert_eq!(value.len(), FIXTURE_USERS - i * DEFAULT_JSON_PAGE_SIZE);
        } else {
            assert_eq!(value.len(), DEFAULT_JSON_PAGE_SIZE);
            let next = obj["@odata.nextLink"].as_str().unwrap();
            assert!(next.starts_with("https://graph.microsoft.com/v1.0/users?$select=id,"));
            assert!(next.contains("&$top=999&$skiptoken="));
        }
        users.extend(value.iter().cloned());
    }
    assert_eq!(users.len(), FIXTURE_USERS);

    let nd = fs::read_to_string(f.path.join(USERS_NDJSON)).unwrap();
    let nd_users: Vec<Value> = nd
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(nd_users, users);

    let (header, rows) = read_csv(&f.path.join(USERS_CSV));
    let h: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let same = [
        ("id", "objectId"),
        ("userPrincipalName", "userPrincipalName"),
        ("displayName", "displayName"),
        ("givenName", "givenName"),
        ("surname", "surname"),
        ("mail", "mail"),
        ("userType", "userType"),
        ("jobTitle", "jobTitle"),
        ("department", "department"),
        ("usageLocation", "usageLocation"),
        ("streetAddress", "streetAddress"),
        ("state", "state"),
        ("country", "country"),
        ("officeLocation", "physicalDeliveryOfficeName"),
        ("city", "city"),
        ("postalCode", "postalCode"),
        ("mobilePhone", "mobile"),
        ("companyName", "companyName"),
        ("employeeId", "employeeId"),
        ("employeeType", "employeeType"),
    ];
    let graph_keys: Vec<&str> = encode::GRAPH_SELECT.split(',').collect();
    for (u, r) in users.iter().zip(&rows) {
        let o = u.as_object().unwrap();
        assert_eq!(o.keys().map(String::as_str).collect::<Vec<_>>(), graph_keys);
        let text_or_blank = |v: &Value| match v {
            Value::Null => String::new(),
            Value::String(s) => {
                assert!(!s.is_empty(), "blank values are null in Graph JSON");
                s.clone()
            }
            other => panic!("unexpected {other}"),
        };
        for (g, c) in same {
            assert_eq!(text_or_blank(&o[g]), r[h[c]], "{g}");
        }
        let enabled = match &o["accountEnabled"] {
            Value::Bool(true) => "True",
            Value::Bool(false) => "False",
            Value::Null => "",
            other => panic!("accountEnabled {other}"),
        };
        assert_eq!(enabled, r[h["accountEnabled"]]);
        let phones = o["businessPhones"].as_array().unwrap();
        assert!(phones.len() <= 1);
        assert_eq!(
            phones.first().map_or(String::new(), text_or_blank),
            r[h["telephoneNumber"]]
        );
        let other = o["otherMails"].as_array().unwrap();
        assert_eq!(
            other.first().map_or(String::new(), text_or_blank),
            r[h["alternateEmailAddress"]]
        );
        let ext = o["onPremisesExtensionAttributes"].as_object().unwrap();
        assert_eq!(ext.len(), 15);
        for i in 1..=15 {
            let v = &ext[&format!("extensionAttribute{i}")];
            match i {
                1 | 2 => assert_eq!(
                    text_or_blank(v),
                    r[h[format!("extensionAttribute{i}").as_str()]]
                ),
                _ => assert!(v.is_null()),
            }
        }
    }
}

#[test]
fn groups_assignments_and_nesting() {
    let f = fixture();
    let (gh, groups) = read_csv(&f.path.join(GROUPS_CSV));
    let (ah, assignments) = read_csv(&f.path.join(ASSIGNMENTS_CSV));
    let (mh, members) = read_csv(&f.path.join(GROUP_MEMBERS_CSV));
    let (uh, users) = read_csv(&f.path.join(USERS_CSV));
    assert_eq!(gh.join(","), GROUPS_HEADER);
    assert_eq!(ah.join(","), ASSIGNMENTS_HEADER);
    assert_eq!(mh.join(","), GROUP_MEMBERS_HEADER);
    assert_eq!(f.summary.groups, groups.len());
    assert_eq!(f.summary.assignments, assignments.len());
    assert_eq!(f.summary.group_memberships, members.len());

    let group_ids: HashSet<&str> = groups.iter().map(|g| g[0].as_str()).collect();
    assert!(group_ids.iter().all(|id| is_uuid_v4(id)));
    let upn_col = uh.iter().position(|c| c == "userPrincipalName").unwrap();
    let id_col = uh.iter().position(|c| c == "objectId").unwrap();
    let user_ids: HashSet<&str> = users.iter().map(|u| u[id_col].as_str()).collect();
    let upn_to_id: HashMap<&str, &str> = users
        .iter()
        .map(|u| (u[upn_col].as_str(), u[id_col].as_str()))
        .collect();

    let mut assigned: HashMap<&str, &str> = HashMap::new(); // group -> app
    let mut direct: HashSet<&str> = HashSet::new();
    let (mut by_id, mut by_upn) = (0, 0);
    for a in &assignments {
        assert!(["Salesforce", "ServiceNow"].contains(&a[0].as_str()));
        match a[1].as_str() {
            "Group" => {
                assert!(group_ids.contains(a[2].as_str()));
                assigned.insert(&a[2], &a[0]);
            }
            "User" => {
                assert_eq!(a[0], "Salesforce");
                if let Some(id) = upn_to_id.get(a[2].as_str()) {
                    by_upn += 1;
                    direct.insert(id);
                } else {
                    assert!(user_ids.contains(a[2].as_str()), "{}", a[2]);
                    by_id += 1;
                    direct.insert(&a[2]);
                }
            }
            other => panic!("principalType {other}"),
        }
    }
    assert!(assigned.values().filter(|a| **a == "ServiceNow").count() >= 2);
    assert_eq!(f.summary.direct_assignments, by_id + by_upn);
    let n = users.len() as f64;
    assert!((0.01..0.03).contains(&(direct.len() as f64 / n)));
    assert!(by_id > 0 && by_upn > 0);
    assert!((by_id as f64 / (by_id + by_upn) as f64 - 0.5).abs() < 0.15);

    let mut nested: HashSet<&str> = HashSet::new();
    let mut direct_of_assigned: HashSet<&str> = HashSet::new();
    let mut sf_group_users: HashSet<&str> = HashSet::new();
    let mut groups_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for m in &members {
        assert!(group_ids.contains(m[0].as_str()));
        match m[2].as_str() {
            "Group" => {
                assert!(
                    assigned.contains_key(m[0].as_str()),
                    "nested in an assigned group"
                );
                assert!(
                    !assigned.contains_key(m[1].as_str()),
                    "nested group not itself assigned"
                );
                nested.insert(&m[1]);
            }
            "User" => {
                assert!(user_ids.contains(m[1].as_str()));
                groups_of.entry(&m[1]).or_default().push(&m[0]);
                if let Some(app) = assigned.get(m[0].as_str()) {
                    direct_of_assigned.insert(&m[1]);
                    if *app == "Salesforce" {
                        sf_group_users.insert(&m[1]);
                    }
                }
            }
            other => panic!("memberType {other}"),
        }
    }
    assert_eq!(nested.len(), 2);
    let sf_share = sf_group_users.len() as f64 / n;
    assert!(
        (0.57..0.63).contains(&sf_share),
        "Salesforce via groups: {sf_share}"
    );

    let nested_only: Vec<&str> = groups_of
        .iter()
        .filter(|(_, gs)| gs.iter().all(|g| nested.contains(g)))
        .map(|(u, _)| *u)
        .collect();
    assert_eq!(nested_only.len(), f.summary.nested_only_users);
    let share = nested_only.len() as f64 / n;
    assert!((0.02..0.04).contains(&share), "nested only: {share}");
    for u in &nested_only {
        assert!(!direct_of_assigned.contains(u));
        assert!(!direct.contains(u));
    }
    // Some members of nested groups are also direct members of an assigned group.
    assert!(
        groups_of
            .iter()
            .any(|(u, gs)| gs.iter().any(|g| nested.contains(g)) && direct_of_assigned.contains(u))
    );
}

#[test]
fn manifest_is_deterministic_and_matches_summary() {
    let f = fixture();
    let m: Value = serde_json::from_slice(&fs::read(f.path.join(MANIFEST_JSON)).unwrap()).unwrap();
    assert_eq!(m["options"]["users"], FIXTURE_USERS);
    assert_eq!(m["options"]["seed"], 7);
    assert_eq!(
        m["options"]["formats"],
        serde_json::json!(["csv", "json", "ndjson"])
    );
    assert_eq!(m["counts"]["users"], f.summary.users);
    assert_eq!(m["counts"]["guests"], f.summary.guests);
    assert_eq!(m["counts"]["disabled"], f.summary.disabled);
    assert_eq!(m["counts"]["groups"], f.summary.groups);
    assert_eq!(m["counts"]["assignments"], f.summary.assignments);
    let text = String::from_utf8(fs::read(f.path.join(MANIFEST_JSON)).unwrap()).unwrap();
    assert!(
        !text.contains(&*f.path.to_string_lossy()),
        "no absolute paths"
    );
}

#[test]
fn zero_users_and_small_pages() {
    let d = tempfile::tempdir().unwrap();
    let s = generate(&opts(0, 1, d.path(), &GenFormat::ALL)).unwrap();
    assert_eq!((s.users, s.guests, s.disabled), (0, 0, 0));
    let pages: Vec<Value> =
        serde_json::from_str(&fs::read_to_string(d.path().join(USERS_JSON)).unwrap()).unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0]["value"], serde_json::json!([]));
    let csv = fs::read_to_string(d.path().join(USERS_CSV)).unwrap();
    assert_eq!(csv, format!("{}\n", CSV_COLUMNS.join(",")));
    assert_eq!(fs::read_to_string(d.path().join(USERS_NDJSON)).unwrap(), "");

    for (users, page) in [(1, 1), (10, 3), (9, 3), (1_000, 999)] {
        let d = tempfile::tempdir().unwrap();
        let mut o = opts(users, 5, d.path(), &[GenFormat::Json]);
        o.json_page_size = page;
        generate(&o).unwrap();
        let pages: Vec<Value> =
            serde_json::from_str(&fs::read_to_string(d.path().join(USERS_JSON)).unwrap()).unwrap();
        assert_eq!(pages.len(), users.div_ceil(page), "{users}/{page}");
        let sizes: Vec<usize> = pages
            .iter()
            .map(|p| p["value"].as_array().unwrap().len())
            .collect();
        assert_eq!(sizes.iter().sum::<usize>(), users);
        assert!(sizes[..sizes.len() - 1].iter().all(|&s| s == page));
        assert!(!d.path().join(USERS_CSV).exists());
    }
}

#[test]
fn invalid_options_are_rejected() {
    let d = tempfile::tempdir().unwrap();
    let mut o = opts(10, 1, d.path(), &[]);
    assert!(matches!(generate(&o), Err(GenError::InvalidOptions(_))));
    o.formats = vec![GenFormat::Csv, GenFormat::Csv];
    o.json_page_size = 0;
    assert!(matches!(generate(&o), Err(GenError::InvalidOptions(_))));
    o.json_page_size = 1_000;
    assert!(matches!(generate(&o), Err(GenError::InvalidOptions(_))));
    o.json_page_size = 999;
    o.users = MAX_USERS + 1;
    assert!(matches!(generate(&o), Err(GenError::InvalidOptions(_))));
    assert_eq!(
        fs::read_dir(d.path()).unwrap().count(),
        0,
        "nothing written"
    );

    o.users = 10;
    let s = generate(&o).unwrap();
    assert_eq!(s.files.len(), 5, "duplicate formats are written once");

    let file = d.path().join("not-a-dir");
    fs::write(&file, b"x").unwrap();
    o.out_dir = file.join("sub");
    let err = generate(&o).unwrap_err();
    assert!(matches!(err, GenError::CreateDir { .. }), "{err}");
    assert!(err.to_string().contains("not-a-dir"), "{err}");

    assert_eq!("NDJSON".parse::<GenFormat>().unwrap(), GenFormat::Ndjson);
    assert!("xml".parse::<GenFormat>().is_err());
}

/// `cargo test --release --lib synth::tests::speed -- --ignored --nocapture`
#[test]
#[ignore = "timing; run in release"]
fn speed_one_million_users() {
    for formats in [
        vec![GenFormat::Csv],
        vec![GenFormat::Json],
        GenFormat::ALL.to_vec(),
    ] {
        let d = tempfile::tempdir().unwrap();
        let start = std::time::Instant::now();
        let s = generate(&opts(1_000_000, 1, d.path(), &formats)).unwrap();
        let elapsed = start.elapsed();
        let sizes: Vec<String> = s
            .files
            .iter()
            .map(|p| {
                format!(
                    "{} {:.1} MB",
                    p.file_name().unwrap().to_string_lossy(),
                    fs::metadata(p).unwrap().len() as f64 / 1e6
                )
            })
            .collect();
        println!(
            "{formats:?}: 1,000,000 users in {:.2} s on {} threads; {}",
            elapsed.as_secs_f64(),
            rayon::current_num_threads(),
            sizes.join(", ")
        );
    }
}

#[test]
#[ignore = "prints a sample"]
fn print_sample() {
    let d = tempfile::tempdir().unwrap();
    let mut o = opts(5, 3, d.path(), &GenFormat::ALL);
    o.json_page_size = 2;
    generate(&o).unwrap();
    for name in [
        USERS_CSV,
        USERS_JSON,
        GROUPS_CSV,
        ASSIGNMENTS_CSV,
        MANIFEST_JSON,
    ] {
        println!("== {name}");
        print!("{}", fs::read_to_string(d.path().join(name)).unwrap());
    }
}

/// The output for a given seed is part of the contract (demos, snapshots and benchmark
/// baselines depend on it). If this fails after an intended change to the word lists,
/// weights or encoders, bump `FORMAT_VERSION` and update the digests.
#[test]
fn output_is_pinned() {
    let d = tempfile::tempdir().unwrap();
    generate(&opts(1_000, 1, d.path(), &GenFormat::ALL)).unwrap();
    let got = digests(d.path());
    let want: BTreeMap<String, String> = [
        (
            "assignments.csv",
            "1a430f636cdb7a1e91b3091d7e2b82d8dca0ca14f0d0685526e8295a04a10723",
        ),
        (
            "group-members.csv",
            "2f6b27f4170f15ab2dc009b511dfe21501fb91d3e09956390de110952edca2ba",
        ),
        (
            "groups.csv",
            "5d9a5607b573ff983437720cefa8c2322dc22d086b06b205dc58a21be7b3bf5b",
        ),
        (
            "manifest.json",
            "4c3d7282dfe1249c7c5d3d0a002885def0ee90ce1cc06e391178dd5b9e4591fb",
        ),
        (
            "users.csv",
            "179750e328a34f9037b3cfd4894eca0f2e37ffc740576248cb1b7a901d08539f",
        ),
        (
            "users.json",
            "94313beffa06c1c00c11f4bc231c124b2cbe40a0c46cefd7508166666e034a6d",
        ),
        (
            "users.ndjson",
            "8a790a68514347de695a91a4336dbb9b814456d2fc1fa3ccf673dc32ef1e2f52",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(got, want, "{got:#?}");
}
