//! Times loading a large CSV export: `cargo run --release --example csv_load -- [PATH] [ROWS]
//! [all|rules] [quoted]`. Writes a synthetic Download-users file of ROWS users (default
//! 1,000,000; 30 columns, about 250 bytes a row) at PATH (default
//! `bench-data/users-1m.csv`) when it does not exist, then reads it with every column
//! (`all`) or with the columns `fixtures/rollout.scope` uses (`rules`, the default) and
//! prints the time. Measure peak memory with `/usr/bin/time -v`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use scopesim::directory::{ColumnSelection, NoProgress, ReadOptions, read_directory};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

const HEADER: &str = "userPrincipalName,displayName,surname,mail,givenName,objectId,userType,jobTitle,department,accountEnabled,usageLocation,streetAddress,state,country,physicalDeliveryOfficeName,city,postalCode,telephoneNumber,mobile,alternateEmailAddress,ageGroup,companyName,employeeId,employeeType,extensionAttribute1,extensionAttribute2,extensionAttribute3,extensionAttribute4,extensionAttribute5,extensionAttribute6";

fn generate(path: &PathBuf, rows: usize, quoted: bool) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    let f = std::fs::File::create(path).unwrap();
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    writeln!(w, "{HEADER}").unwrap();
    let depts = ["IT", "Sales", "HR", "Finance", "Marketing", "sales", ""];
    let countries = ["DE", "FR", "NL", "US", "GB", ""];
    let cities = [
        "Berlin",
        "Paris",
        "Amsterdam",
        "Seattle",
        "London",
        "München",
    ];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..rows {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let d = depts[(x % 7) as usize];
        let c = countries[((x >> 8) % 6) as usize];
        let city = cities[((x >> 16) % 6) as usize];
        let enabled = if (x >> 24) % 10 == 0 { "False" } else { "True" };
        let fields = [
            format!("user{i}@contoso.com"),
            format!("User {i}"),
            format!("Sur{i}"),
            format!("user{i}@contoso.com"),
            "Given".to_string(),
            format!(
                "{:08x}-{:04x}-4000-8000-{:012x}",
                i,
                x & 0xffff,
                x >> 16 & 0xffff_ffff_ffff
            ),
            "Member".to_string(),
            "Engineer".to_string(),
            d.to_string(),
            enabled.to_string(),
            c.to_string(),
            format!("{} Main Street, Floor {}", i % 997, i % 9),
            "ST".to_string(),
            c.to_string(),
            format!("B{}", i % 40),
            city.to_string(),
            format!("{:05}", i % 99999),
            format!("+49 30 {}", i % 10_000_000),
            String::new(),
            String::new(),
            String::new(),
            "Contoso".to_string(),
            format!("E{i}"),
            if (x >> 32) % 20 == 0 {
                "Contractor"
            } else {
                "Employee"
            }
            .to_string(),
            format!("{}", (x >> 40) % 300),
            String::new(),
            "x".to_string(),
            String::new(),
            String::new(),
            String::new(),
        ];
        let line: Vec<String> = fields
            .iter()
            .map(|v| {
                if quoted || v.contains(',') {
                    format!("\"{}\"", v.replace('"', "\"\""))
                } else {
                    v.clone()
                }
            })
            .collect();
        writeln!(w, "{}", line.join(",")).unwrap();
    }
    w.flush().unwrap();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = PathBuf::from(
        args.get(1)
            .map_or("bench-data/users-1m.csv", String::as_str),
    );
    let rows: usize = args.get(2).map_or(1_000_000, |s| s.parse().unwrap());
    let all = args.get(3).is_some_and(|s| s == "all");
    let quoted = args.get(4).is_some_and(|s| s == "quoted");
    if !path.exists() {
        let t = Instant::now();
        generate(&path, rows, quoted);
        eprintln!("generated {} in {:?}", path.display(), t.elapsed());
    }
    let columns = if all {
        ColumnSelection::all()
    } else {
        ColumnSelection::only([
            "department",
            "country",
            "employeeType",
            "extensionAttribute1",
        ])
    };
    let opts = ReadOptions {
        columns,
        ..ReadOptions::default()
    };
    let size = std::fs::metadata(&path).unwrap().len();
    let t = Instant::now();
    let d = read_directory(std::slice::from_ref(&path), &opts, &NoProgress).unwrap();
    let el = t.elapsed();
    println!(
        "{} users, {} columns kept, {:.1} MB file, {:.1} MB held: {:?} ({:.0} MB/s)",
        d.len(),
        d.columns().len(),
        size as f64 / 1e6,
        d.heap_bytes() as f64 / 1e6,
        el,
        size as f64 / 1e6 / el.as_secs_f64()
    );
}
