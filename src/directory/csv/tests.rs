//! Tests of the CSV reader: records across tiny blocks, errors and where they point.

use super::*;
use crate::directory::input::{KeepAll, NoProgress};
use crate::directory::{ColumnSelection, Directory};
use proptest::prelude::*;

fn read_bytes(
    bytes: &[u8],
    block: usize,
    skip: bool,
    cols: &ColumnSelection,
) -> Result<(Directory, CsvSummary), Errors> {
    let mut b = Directory::builder();
    let opts = CsvOptions {
        delimiter: None,
        skip_bad_rows: skip,
        block_size: block,
        skip_hash: false,
    };
    let s = read_csv(
        || Ok(io::Cursor::new(bytes.to_vec())),
        "t.csv",
        &opts,
        cols,
        &mut b,
        &NoProgress,
        None::<&KeepAll>,
        &mut Vec::new(),
    )?;
    Ok((b.build(), s))
}

fn rows(d: &Directory) -> Vec<Vec<String>> {
    (0..d.len())
        .map(|r| {
            (0..d.columns().len())
                .map(|c| d.value(r, c).unwrap_or("").to_string())
                .collect()
        })
        .collect()
}

#[test]
fn quoted_unquoted_crlf_embedded_newlines_and_escapes() {
    let text = "a,b,c\r\n1,\"x,y\",\"he said \"\"hi\"\"\"\r\n\"2\",\"multi\r\nline\",\r\n3,,\n";
    for block in [1, 2, 3, 5, 8, 64, 1 << 20] {
        let (d, s) = read_bytes(text.as_bytes(), block, false, &ColumnSelection::all()).unwrap();
        assert_eq!(
            rows(&d),
            vec![
                vec!["1", "x,y", "he said \"hi\""],
                vec!["2", "multi\r\nline", ""],
                vec!["3", "", ""],
            ],
            "block {block}"
        );
        assert_eq!(s.records, 3);
        assert_eq!(s.delimiter, b',');
    }
}

#[test]
fn semicolon_detected_outside_quotes_and_type_line_skipped() {
    let text = "#TYPE Selected.Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser\n\"a,b\";\"c\"\n\"1,2\";\"3\"\n";
    let (d, s) = read_bytes(text.as_bytes(), 4, false, &ColumnSelection::all()).unwrap();
    assert_eq!(s.delimiter, b';');
    assert_eq!(d.columns()[0].name, "a,b");
    assert_eq!(rows(&d), vec![vec!["1,2", "3"]]);
}

#[test]
fn errors_name_line_field_and_header() {
    let text = "a,b\n1,2\n\"x\ny\",2,3\n4,5\"6\n7,\"open\n";
    let errs = read_bytes(text.as_bytes(), 3, false, &ColumnSelection::all()).unwrap_err();
    let got: Vec<_> = errs
        .iter()
        .map(|d| {
            let l = d.location.as_ref().unwrap();
            (
                d.code.as_str(),
                l.line.unwrap(),
                l.column.unwrap(),
                l.record.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // The first field without a header starts on line 4 (the record's first
            // field holds a line break), at character column 6.
            ("csv-too-many-fields", 4, 6, 2),
            ("csv-bare-quote", 5, 3, 3),
            ("csv-unterminated-quote", 6, 3, 4),
        ]
    );
    assert!(
        errs[1].message.contains("field 2 (`b`)"),
        "{}",
        errs[1].message
    );
    // With --skip-bad-rows: counted, one warning, good rows kept.
    let (d, s) = read_bytes(text.as_bytes(), 3, true, &ColumnSelection::all()).unwrap();
    assert_eq!(rows(&d), vec![vec!["1", "2"]]);
    assert_eq!(s.skipped, 3);
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].message.contains("skipped 3 malformed rows"));
    assert!(s.warnings[0].message.contains("line 5:"));
}

#[test]
fn a_last_line_without_newline_is_read() {
    for text in ["a,b\n1,2", "a,b\r\n1,2\r", "a,b\n1,\"2\""] {
        let (d, _) = read_bytes(text.as_bytes(), 3, false, &ColumnSelection::all()).unwrap();
        assert_eq!(rows(&d), vec![vec!["1", "2"]], "{text:?}");
    }
}

#[test]
fn too_few_fields_is_an_error_with_its_line_and_blank_lines_are_skipped() {
    // A short row in the middle, and a short last row without a newline.
    for text in ["a,b,c\n1\n\n2,,x\n", "a,b,c\n2,,x\n\n1"] {
        let errs =
            read_bytes(text.as_bytes(), 1 << 20, false, &ColumnSelection::all()).unwrap_err();
        assert_eq!(errs.len(), 1, "{text:?}: {errs:?}");
        assert_eq!(errs[0].code, "csv-too-few-fields");
        assert_eq!(errs[0].message, "row has 1 field but the header has 3");
        let l = errs[0].location.as_ref().unwrap();
        let line = if text.ends_with('1') { 4 } else { 2 };
        // The column is just past the row's last character, where the missing field goes.
        assert_eq!((l.line, l.column), (Some(line), Some(2)), "{text:?}");
        // Counted under --skip-bad-rows, the good row kept.
        for block in [1, 3, 1 << 20] {
            let (d, s) = read_bytes(text.as_bytes(), block, true, &ColumnSelection::all()).unwrap();
            assert_eq!(rows(&d), vec![vec!["2", "", "x"]]);
            assert_eq!(s.skipped, 1);
            assert!(s.warnings[0].message.contains("row has 1 field"));
        }
    }
    let (d, _) = read_bytes(b"a,b\n\n1,2\n\n", 1 << 20, false, &ColumnSelection::all()).unwrap();
    assert_eq!(rows(&d), vec![vec!["1", "2"]]);
}

#[test]
fn an_error_past_column_65535_is_located_exactly() {
    // A value of 70,000 characters (a minified blob pasted into a cell) before a bare
    // quote: the column must be exact, not wrapped at 16 bits.
    let long = "x".repeat(70_000);
    let text = format!("a,b,c\n1,{long},y\"z\n");
    for block in [1 << 10, 1 << 20] {
        let errs = read_bytes(text.as_bytes(), block, false, &ColumnSelection::all()).unwrap_err();
        let l = errs[0].location.as_ref().unwrap();
        assert_eq!(errs[0].code, "csv-bare-quote");
        assert_eq!((l.line, l.column), (Some(2), Some(70_004)), "block {block}");
    }
    // The same with non-ASCII text: columns count characters, as an editor does.
    let long = "ü".repeat(70_000);
    let text = format!("a,b,c\n1,{long},y\"z\n");
    let errs = read_bytes(text.as_bytes(), 1 << 20, false, &ColumnSelection::all()).unwrap_err();
    assert_eq!(errs[0].location.as_ref().unwrap().column, Some(70_004));
}

#[test]
fn a_million_column_header_is_refused_in_linear_time() {
    let n = 1_000_002;
    let mut text = String::with_capacity(n * 8);
    for i in 0..n {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!("c{i}"));
    }
    text.push_str("\n1\n");
    let started = std::time::Instant::now();
    let errs = read_bytes(text.as_bytes(), 1 << 20, false, &ColumnSelection::all()).unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code, "csv-too-many-columns");
    assert_eq!(
        errs[0].message,
        "the header of `t.csv` has 1000002 columns; scopesim reads at most 16384"
    );
    // Just under the limit, a wide header is read (linear: a column map built once).
    let n = header::MAX_COLUMNS;
    let header: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    let row: Vec<&str> = (0..n).map(|_| "v").collect();
    let text = format!("{}\n{}\n", header.join(","), row.join(","));
    let started = std::time::Instant::now();
    let (d, _) = read_bytes(text.as_bytes(), 1 << 20, false, &ColumnSelection::all()).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(d.columns().len(), n);
    assert_eq!(d.value(0, n - 1), Some("v"));
}

#[test]
fn duplicate_and_unnamed_headers_point_at_their_column() {
    let errs = read_bytes(
        b"Id,name,objectId\n1,a,1\n",
        1 << 20,
        false,
        &ColumnSelection::all(),
    )
    .unwrap_err();
    assert_eq!(errs[0].location.as_ref().unwrap().column, Some(9));
    let (_, s) = read_bytes(b"a,,b,\n1,2,3,4\n", 1 << 20, false, &ColumnSelection::all()).unwrap();
    assert_eq!(s.warnings.len(), 1);
    assert_eq!(
        s.warnings[0].message,
        "columns 2, 4 of `t.csv` have no header; their values are ignored"
    );
    assert_eq!(s.warnings[0].location.as_ref().unwrap().column, Some(3));
}

#[test]
fn invalid_utf8_reports_line_and_character_column() {
    let errs = read_bytes(b"a,b\n1,2\n3,x\xff\n", 4, false, &ColumnSelection::all()).unwrap_err();
    let l = errs[0].location.as_ref().unwrap();
    assert_eq!((l.line, l.column), (Some(3), Some(4)));
    assert!(errs[0].help.as_ref().unwrap().contains("-Encoding UTF8"));
}

#[test]
fn only_selected_columns_are_stored_but_all_are_seen() {
    let sel = ColumnSelection::only(["Department"]);
    let (d, _) = read_bytes(b"Department,City,Id\nIT,Bonn,1\n", 1 << 20, false, &sel).unwrap();
    let names: Vec<_> = d.columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["department", "objectId"]);
    assert!(d.available().contains_key("city"));
    assert_eq!(d.columns()[1].original, vec!["Id".to_string()]);
}

#[test]
fn duplicate_headers_name_both_columns() {
    let errs = read_bytes(
        b"Id,name,objectId\n1,a,1\n",
        1 << 20,
        false,
        &ColumnSelection::all(),
    )
    .unwrap_err();
    assert_eq!(errs[0].code, "csv-duplicate-column");
    assert!(
        errs[0]
            .message
            .contains("columns 1 (`Id`) and 3 (`objectId`)"),
        "{}",
        errs[0].message
    );
    assert!(errs[0].message.contains("`t.csv`"));
}

#[test]
fn utf16_input_reads_like_utf8() {
    let text = "\"a\",\"b\"\r\n\"Jörg\",\"x\"\r\n";
    let mut bytes = vec![0xff, 0xfe];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let (d, s) = read_bytes(&bytes, 5, false, &ColumnSelection::all()).unwrap();
    assert_eq!(rows(&d), vec![vec!["Jörg", "x"]]);
    assert_eq!(s.encoding, Encoding::Utf16Le);
}

#[test]
fn too_many_errors_are_summarised() {
    let mut text = String::from("a\n");
    for _ in 0..25 {
        text.push_str("1,2\n");
    }
    let errs = read_bytes(text.as_bytes(), 16, false, &ColumnSelection::all()).unwrap_err();
    assert_eq!(errs.len(), MAX_ROW_ERRORS + 1);
    assert_eq!(
        errs[MAX_ROW_ERRORS].message,
        "and 5 more row errors in `t.csv`"
    );
    assert_eq!(errs[19].location.as_ref().unwrap().line, Some(21));
}

fn cell() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zé😀 ,;\"\r\n\t#x]{0,12}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn random_tables_round_trip_through_tiny_blocks(
        ncols in 1usize..5,
        cells in proptest::collection::vec(cell(), 0..60),
        semicolon in any::<bool>(),
        style in 0u8..3,
        crlf in any::<bool>(),
        block in 1usize..40,
    ) {
        let rows_in: Vec<Vec<String>> = cells.chunks(ncols).filter(|r| r.len() == ncols).map(<[String]>::to_vec).collect();
        let mut w = ::csv::WriterBuilder::new()
            .delimiter(if semicolon { b';' } else { b',' })
            .quote_style(match style { 0 => ::csv::QuoteStyle::Necessary, 1 => ::csv::QuoteStyle::Always, _ => ::csv::QuoteStyle::NonNumeric })
            .terminator(if crlf { ::csv::Terminator::CRLF } else { ::csv::Terminator::Any(b'\n') })
            .from_writer(Vec::new());
        let header: Vec<String> = (0..ncols).map(|i| format!("h{i}")).collect();
        w.write_record(&header).unwrap();
        for r in &rows_in {
            w.write_record(r).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let mut b = Directory::builder();
        let opts = CsvOptions { delimiter: Some(if semicolon { b';' } else { b',' }), skip_bad_rows: false, block_size: block, skip_hash: false };
        let s = read_csv(|| Ok(io::Cursor::new(bytes.clone())), "p.csv", &opts, &ColumnSelection::all(), &mut b, &NoProgress, None::<&KeepAll>, &mut Vec::new()).unwrap();
        let d = b.build();
        // A row of one empty field is written as `""` by the csv crate and reads back
        // as one null; rows that are all empty with several columns are kept too.
        prop_assert_eq!(rows(&d), rows_in.clone());
        prop_assert_eq!(s.records as usize, rows_in.len());
    }
}

/// A streaming sink that reads a few columns and keeps one user's row group: the sink
/// sees only its columns, the kept row group holds every column (as a whole read gives
/// it) and the others read as null, for blocks cut anywhere.
#[test]
fn a_kept_row_group_holds_every_column_and_the_sink_sees_only_its_own() {
    use crate::directory::input::KeepWhen;
    let mut text = String::from("Id,Department,City,\"Note\"\n");
    for i in 0..40 {
        text.push_str(&format!("{i},D{},C{i},\"n \"\"{i}\"\"\"\r\n", i % 3));
    }
    let all = ColumnSelection::all();
    let (whole, _) = read_bytes(text.as_bytes(), 1 << 20, false, &all).unwrap();
    for block in [1, 7, 64, 1 << 20] {
        let mut b = Directory::builder();
        let opts = CsvOptions {
            block_size: block,
            ..CsvOptions::default()
        };
        let sink = KeepWhen {
            sink: |chunk: &Chunk| {
                // Id is the objectId column (0), Department (1); City and Note are not read.
                let sees_others = (0..chunk.len())
                    .any(|r| chunk.value(r, 2).is_some() || chunk.value(r, 3).is_some());
                let holds = (0..chunk.len()).any(|r| chunk.value(r, 0) == Some("17"));
                ((chunk.len(), sees_others), holds)
            },
            reads: Some(ColumnSelection::only(["department"])),
        };
        let mut visited = Vec::new();
        read_csv(
            || Ok(io::Cursor::new(text.as_bytes().to_vec())),
            "t.csv",
            &opts,
            &all,
            &mut b,
            &NoProgress,
            Some(&sink),
            &mut visited,
        )
        .unwrap();
        let d = b.build();
        assert_eq!(d.len(), 40);
        assert!(
            visited.iter().all(|(_, ((_, others), _))| !others),
            "{block}"
        );
        let kept: Vec<usize> = visited
            .iter()
            .filter(|(_, (_, holds))| *holds)
            .flat_map(|(start, ((len, _), _))| *start..start + len)
            .collect();
        assert!(kept.contains(&17), "{block}");
        for r in 0..40 {
            for c in 0..d.columns().len() {
                let want = if kept.contains(&r) {
                    whole.value(r, c)
                } else {
                    None
                };
                assert_eq!(d.value(r, c), want, "block {block}, row {r}, column {c}");
            }
        }
    }
}
