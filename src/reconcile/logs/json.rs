//! The JSON shapes of provisioning logs, deserialized field by field.
//!
//! Keys are matched ignoring ASCII case, so Graph's camelCase, Log Analytics' PascalCase
//! and the deprecated beta names (`action`, `statusInfo`) read alike; a nested object may
//! be an object or a JSON text inside a string (Log Analytics); `servicePrincipal` may be
//! an object or a one-element array (documented as a collection, an object on the wire).
//! Keys are compared on a stack buffer and values the reduction does not need are skipped
//! with `IgnoredAny`, so reading an event allocates little beyond what it keeps.

use super::{ErrorInfo, Event, Identity, Modified, Pages, Sink, Step, Text, Timestamp};
use crate::diag::{Code, Diagnostic};
use serde::Deserialize;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use std::fmt;
use std::io::{BufRead, Read};
use std::marker::PhantomData;

/// Deepest nesting of containers (arrays of pages of events) accepted.
const MAX_DEPTH: u8 = 4;

/// A map key, lowercased on the stack (longer keys read as `""`, i.e. unknown).
struct Key {
    buf: [u8; 40],
    len: usize,
}

impl Key {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                let mut k = Key {
                    buf: [0; 40],
                    len: 0,
                };
                if s.len() <= k.buf.len() {
                    for (i, b) in s.bytes().enumerate() {
                        k.buf[i] = b.to_ascii_lowercase();
                    }
                    k.len = s.len();
                }
                Ok(k)
            }
        }
        d.deserialize_str(V)
    }
}

/// A scalar read as text (strings, numbers, Booleans); `null` and containers are `None`.
struct TextValue(Option<String>);

impl<'de> Deserialize<'de> for TextValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TextValue, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TextValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a text value")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<TextValue, E> {
                Ok(TextValue(Some(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<TextValue, E> {
                Ok(TextValue(Some(s)))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<TextValue, E> {
                Ok(TextValue(Some(
                    if b { "True" } else { "False" }.to_string(),
                )))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<TextValue, E> {
                Ok(TextValue(Some(n.to_string())))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<TextValue, E> {
                Ok(TextValue(Some(n.to_string())))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<TextValue, E> {
                Ok(TextValue(Some(n.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<TextValue, E> {
                Ok(TextValue(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<TextValue, E> {
                Ok(TextValue(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<TextValue, D::Error> {
                TextValue::deserialize(d)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<TextValue, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(TextValue(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<TextValue, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TextValue(None))
            }
        }
        d.deserialize_any(V)
    }
}

fn text<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<String>, A::Error> {
    Ok(map.next_value::<TextValue>()?.0)
}

/// An object, a JSON text holding one (Log Analytics), `null`, or for types that allow it
/// a one-element array.
struct Lenient<T>(Option<T>);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Lenient<T>, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: DeserializeOwned> Visitor<'de> for V<T> {
            type Value = Lenient<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object, or a JSON text holding one")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Lenient<T>, E> {
                Ok(Lenient(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Lenient<T>, E> {
                Ok(Lenient(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Lenient<T>, D::Error> {
                Lenient::deserialize(d)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Lenient<T>, E> {
                if s.trim().is_empty() {
                    return Ok(Lenient(None));
                }
                serde_json::from_str::<Lenient<T>>(s).map_err(|e| {
                    E::custom(format!("a JSON text inside a string does not parse: {e}"))
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Lenient<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(m)).map(|t| Lenient(Some(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<Lenient<T>, A::Error> {
                T::deserialize(de::value::SeqAccessDeserializer::new(s)).map(|t| Lenient(Some(t)))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

fn lenient<'de, A: MapAccess<'de>, T: DeserializeOwned>(
    map: &mut A,
) -> Result<Option<T>, A::Error> {
    Ok(map.next_value::<Lenient<T>>()?.0)
}

/// A record read one field at a time.
trait Fields: Default {
    /// For messages.
    const WHAT: &'static str;
    /// Accept `[ {...} ]` as `{...}` (servicePrincipal).
    const FROM_ARRAY: bool = false;
    /// Reads the value of `key` (lowercase) from `map`; unknown keys must be skipped.
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error>;
}

struct FieldsVisitor<T>(PhantomData<T>);

impl<'de, T: Fields + DeserializeOwned> Visitor<'de> for FieldsVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} object", T::WHAT)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut t = T::default();
        while let Some(k) = map.next_key::<Key>()? {
            t.field(k.as_str(), &mut map)?;
        }
        Ok(t)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        if !T::FROM_ARRAY {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        let first = seq.next_element::<Lenient<T>>()?.and_then(|l| l.0);
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(first.unwrap_or_default())
    }
}

macro_rules! fields_deserialize {
    ($($t:ty),*) => {$(
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                d.deserialize_any(FieldsVisitor::<$t>(PhantomData))
            }
        }
    )*};
}

/// `details`: string values by key, in order.
#[derive(Default)]
struct Details(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Details {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Details, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Details;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a details object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Details, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, TextValue>()? {
                    if let Some(v) = v.0 {
                        out.push((k, v));
                    }
                }
                Ok(Details(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Default)]
struct IdentityDe(Identity);

impl Fields for IdentityDe {
    const WHAT: &'static str = "an identity";
    const FROM_ARRAY: bool = true;
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let i = &mut self.0;
        match key {
            "id" => i.id = text(map)?,
            "displayname" | "name" => i.display_name = text(map)?,
            "identitytype" => i.identity_type = text(map)?,
            "details" => {
                if let Some(d) = lenient::<A, Details>(map)? {
                    i.upn =
                        d.0.into_iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case("userPrincipalName"))
                            .map(|(_, v)| v);
                }
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct ErrorDe(ErrorInfo);

impl Fields for ErrorDe {
    const WHAT: &'static str = "an error information";
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        error_field(&mut self.0, key, map).map(|_| ())
    }
}

/// Reads an error field into `e`; `Ok(false)` when `key` is not one (value not consumed).
fn error_field<'de, A: MapAccess<'de>>(
    e: &mut ErrorInfo,
    key: &str,
    map: &mut A,
) -> Result<bool, A::Error> {
    match key {
        "errorcode" => e.code = text(map)?,
        "reason" | "errordescription" => e.reason = text(map)?,
        "errorcategory" => e.category = text(map)?,
        "recommendedaction" => e.recommended_action = text(map)?,
        "additionaldetails" => e.additional_details = text(map)?,
        _ => {
            map.next_value::<IgnoredAny>()?;
            return Ok(false);
        }
    }
    Ok(true)
}

#[derive(Default)]
struct StatusDe {
    status: Option<String>,
    error: ErrorInfo,
}

impl Fields for StatusDe {
    const WHAT: &'static str = "a status information";
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "status" => self.status = text(map)?,
            // v1.0: the error is nested; beta: its fields are flat here.
            "errorinformation" => {
                if let Some(e) = lenient::<A, ErrorDe>(map)? {
                    merge_error(&mut self.error, e.0);
                }
            }
            _ => {
                error_field(&mut self.error, key, map)?;
            }
        }
        Ok(())
    }
}

fn merge_error(into: &mut ErrorInfo, from: ErrorInfo) {
    let keep = |a: &mut Option<String>, b: Option<String>| {
        if a.is_none() {
            *a = b;
        }
    };
    keep(&mut into.code, from.code);
    keep(&mut into.category, from.category);
    keep(&mut into.reason, from.reason);
    keep(&mut into.recommended_action, from.recommended_action);
    keep(&mut into.additional_details, from.additional_details);
}

#[derive(Default)]
struct StepDe(Step);

impl Fields for StepDe {
    const WHAT: &'static str = "a provisioning step";
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let s = &mut self.0;
        match key {
            "name" => s.name = text(map)?.unwrap_or_default(),
            "provisioningsteptype" | "type" => s.kind = text(map)?.unwrap_or_default(),
            "status" => s.status = text(map)?.unwrap_or_default(),
            "details" => s.details = lenient::<A, Details>(map)?.map(|d| d.0).unwrap_or_default(),
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct ModifiedDe(Modified);

impl Fields for ModifiedDe {
    const WHAT: &'static str = "a modified property";
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let m = &mut self.0;
        match key {
            "displayname" | "name" => m.name = text(map)?.unwrap_or_default(),
            "oldvalue" => m.old = text(map)?,
            "newvalue" => m.new = text(map)?,
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct InitiatorDe(Option<String>);

impl Fields for InitiatorDe {
    const WHAT: &'static str = "an initiator";
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            // Both spellings appear in Microsoft's own examples (GD-POS-list).
            "initiatortype" | "initiatingtype" => self.0 = text(map)?,
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// The fields of one event (a Graph object, a Log Analytics row, an envelope's
/// `properties`), plus the Log Analytics fallbacks for status and error.
#[derive(Default)]
struct EventDe {
    event: Event,
    fields: usize,
    result_type: Option<String>,
    result_signature: Option<String>,
    result_description: Option<String>,
}

impl EventDe {
    /// Reads `key` if it is an event field; `Ok(false)` (value not consumed) otherwise.
    fn event_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        let e = &mut self.event;
        match key {
            "activitydatetime" | "timegenerated" | "timegenerated [utc]" => {
                if let Some(t) = text(map)? {
                    e.time = Some(Timestamp::parse(&t).ok_or_else(|| {
                        de::Error::custom(format!(
                            "`activityDateTime` is `{t}`, not a date and time"
                        ))
                    })?);
                }
            }
            "jobid" => e.job_id = text(map)?,
            "cycleid" => e.cycle_id = text(map)?,
            "provisioningaction" | "action" => {
                if let Some(a) = text(map)? {
                    e.action = Some(a);
                }
            }
            "provisioningstatusinfo" | "statusinfo" => {
                if let Some(s) = lenient::<A, StatusDe>(map)? {
                    if s.status.is_some() {
                        e.status = s.status;
                    }
                    merge_error(&mut e.error, s.error);
                }
            }
            "resulttype" => self.result_type = text(map)?,
            "resultsignature" => self.result_signature = text(map)?,
            "resultdescription" => self.result_description = text(map)?,
            "serviceprincipal" => {
                e.service_principal = lenient::<A, IdentityDe>(map)?
                    .map(|i| i.0)
                    .unwrap_or_default();
            }
            "sourceidentity" => {
                e.source = lenient::<A, IdentityDe>(map)?
                    .map(|i| i.0)
                    .unwrap_or_default();
            }
            "targetidentity" => {
                e.target = lenient::<A, IdentityDe>(map)?
                    .map(|i| i.0)
                    .unwrap_or_default();
            }
            "initiatedby" => {
                e.initiator_type = lenient::<A, InitiatorDe>(map)?.and_then(|i| i.0);
            }
            "provisioningsteps" => {
                e.steps = lenient::<A, Vec<StepDe>>(map)?
                    .map(|v| v.into_iter().map(|s| s.0).collect())
                    .unwrap_or_default();
            }
            "modifiedproperties" => {
                e.modified = lenient::<A, Vec<ModifiedDe>>(map)?
                    .map(|v| v.into_iter().map(|m| m.0).collect())
                    .unwrap_or_default();
            }
            "id"
            | "changeid"
            | "tenantid"
            | "aadtenantid"
            | "durationinmilliseconds"
            | "durationms"
            | "sourcesystem"
            | "targetsystem"
            | "category"
            | "operationname"
            | "operationversion"
            | "correlationid" => {
                map.next_value::<IgnoredAny>()?;
            }
            _ => return Ok(false),
        }
        self.fields += 1;
        Ok(true)
    }

    /// True when the record looked like an event at all.
    fn is_event(&self) -> bool {
        self.fields > 0
    }

    /// The event, with the Log Analytics columns as fallbacks.
    fn build(mut self, envelope_time: Option<Timestamp>) -> Event {
        let e = &mut self.event;
        if e.status.is_none() {
            e.status = self.result_type.take();
        }
        let sig = self
            .result_signature
            .take()
            .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("none"));
        if e.error.code.is_none() {
            e.error.code = sig;
        }
        if e.error.reason.is_none() {
            e.error.reason = self.result_description.take().filter(|s| !s.is_empty());
        }
        if e.time.is_none() {
            e.time = envelope_time;
        }
        self.event
    }
}

impl Fields for EventDe {
    const WHAT: &'static str = "a provisioning event";
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        if !self.event_field(key, map)? {
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

fields_deserialize!(
    IdentityDe,
    ErrorDe,
    StatusDe,
    StepDe,
    ModifiedDe,
    InitiatorDe,
    EventDe
);

/// One top-level value (or a nested container): an event, an array, a page, a batch, an
/// envelope.
pub(super) struct Item<'s, 'k> {
    pub(super) sink: &'s mut Sink<'k>,
    pub(super) pages: &'s mut Pages,
    pub(super) events: &'s mut u64,
    pub(super) depth: u8,
}

impl Item<'_, '_> {
    fn nested(&mut self) -> Item<'_, '_> {
        Item {
            sink: &mut *self.sink,
            pages: &mut *self.pages,
            events: &mut *self.events,
            depth: self.depth + 1,
        }
    }

    fn emit<E: de::Error>(&mut self, event: Event) -> Result<(), E> {
        (self.sink)(event).map_err(E::custom)?;
        *self.events += 1;
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Item<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.depth > MAX_DEPTH {
            return Err(de::Error::custom(
                "containers nested too deep (events inside arrays inside pages are expected)",
            ));
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Item<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a provisioning event, an array of them, or a Graph page")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self.nested())?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut ev = EventDe::default();
        let mut container = false;
        let mut next_link = false;
        let mut inner: Option<EventDe> = None;
        let mut envelope_time = None;
        while let Some(k) = map.next_key::<Key>()? {
            match k.as_str() {
                "value" | "records" => {
                    container = true;
                    map.next_value_seed(self.nested())?;
                }
                "@odata.nextlink" => next_link = text(&mut map)?.is_some_and(|s| !s.is_empty()),
                "properties" => inner = lenient::<A, EventDe>(&mut map)?,
                "time" => {
                    envelope_time = text(&mut map)?.and_then(|t| Timestamp::parse(&t));
                }
                key => {
                    if !ev.event_field(key, &mut map)? {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
        }
        if container {
            self.pages.pages += 1;
            if next_link {
                self.pages.with_next += 1;
            }
            self.pages.last_has_next = next_link;
        }
        if let Some(inner) = inner.filter(EventDe::is_event) {
            return self.emit(inner.build(envelope_time));
        }
        if ev.is_event() {
            return self.emit(ev.build(envelope_time));
        }
        if container {
            return Ok(());
        }
        Err(de::Error::custom(
            "an object that is neither a provisioning event, a Graph page (`value`) nor a diagnostic-settings envelope (`properties`)",
        ))
    }
}

/// Splits serde_json's " at line L column C" off a message.
fn clean(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(p) => s[..p].to_string(),
        None => s,
    }
}

fn json_error(e: &serde_json::Error, path: &str, line_base: u64, record: u64) -> Box<Diagnostic> {
    let code = match e.classify() {
        serde_json::error::Category::Data => Code::LogShape,
        _ => Code::LogSyntax,
    };
    let line = line_base + e.line().saturating_sub(1) as u64;
    super::located(
        code,
        path,
        format!("cannot read the provisioning log: {}", clean(e)),
        (e.line() > 0).then_some(line),
        (e.column() > 0).then_some(e.column() as u64),
        Some(record),
    )
}

/// The longest first line read whole to test for NDJSON.
const FIRST_LINE_CAP: usize = 16 << 20;

/// Reads up to and including the next `\n`, at most about `cap` bytes; true when the line
/// ended (newline or end of input) within the cap.
fn read_line_capped(text: &mut Text, line: &mut Vec<u8>, cap: usize) -> std::io::Result<bool> {
    loop {
        let buf = text.fill_buf()?;
        if buf.is_empty() {
            return Ok(true);
        }
        match memchr::memchr(b'\n', buf) {
            Some(i) => {
                line.extend_from_slice(&buf[..=i]);
                text.consume(i + 1);
                return Ok(true);
            }
            None => {
                let n = buf.len();
                line.extend_from_slice(buf);
                text.consume(n);
                if line.len() > cap {
                    return Ok(false);
                }
            }
        }
    }
}

/// Reads JSON: NDJSON when the first line is a whole object, one stream otherwise.
/// Returns the number of events and the shape.
pub(super) fn read(
    text: &mut Text,
    path: &str,
    sink: &mut Sink<'_>,
    pages: &mut Pages,
    skipped_lines: u64,
) -> Result<(u64, &'static str), Box<Diagnostic>> {
    let mut events = 0u64;
    let mut line = Vec::new();
    // The caller skipped leading white space: the first line starts with `[` or `{`.
    let mut line_no = skipped_lines + 1;
    let first = text
        .fill_buf()
        .map_err(|e| super::io_error(std::path::Path::new(path), &e))?
        .first()
        .copied();
    // An object on a line of its own is NDJSON. An array (the admin center's minified
    // download is one line) or an object longer than the cap is streamed instead, so a
    // single huge line is never held whole.
    let whole_line = first == Some(b'{')
        && read_line_capped(text, &mut line, FIRST_LINE_CAP)
            .map_err(|e| super::io_error(std::path::Path::new(path), &e))?;
    let first_complete = whole_line && serde_json::from_slice::<IgnoredAny>(&line).is_ok();
    if first_complete {
        loop {
            if !line.iter().all(u8::is_ascii_whitespace) {
                let mut de = serde_json::Deserializer::from_slice(&line);
                let item = Item {
                    sink: &mut *sink,
                    pages: &mut *pages,
                    events: &mut events,
                    depth: 0,
                };
                item.deserialize(&mut de)
                    .and_then(|()| de.end())
                    .map_err(|e| json_error(&e, path, line_no, events + 1))?;
            }
            line.clear();
            let n = text
                .read_until(b'\n', &mut line)
                .map_err(|e| super::io_error(std::path::Path::new(path), &e))?;
            if n == 0 {
                return Ok((events, "ndjson"));
            }
            line_no += 1;
        }
    }
    // One stream: the first line read so far, then the rest.
    let head = std::io::Cursor::new(std::mem::take(&mut line));
    let reader = std::io::BufReader::with_capacity(1 << 16, head.chain(&mut *text));
    let base = line_no;
    let mut de = serde_json::Deserializer::from_reader(reader);
    loop {
        let item = Item {
            sink: &mut *sink,
            pages: &mut *pages,
            events: &mut events,
            depth: 0,
        };
        item.deserialize(&mut de)
            .map_err(|e| json_error(&e, path, base, events + 1))?;
        if de.end().is_ok() {
            break;
        }
    }
    let shape = if pages.pages > 0 {
        "graph-pages"
    } else {
        "json"
    };
    Ok((events, shape))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events_of(text: &str) -> Vec<Event> {
        let mut out = Vec::new();
        let mut sink = |e: Event| {
            out.push(e);
            Ok(())
        };
        let mut pages = Pages::default();
        let mut events = 0;
        let item = Item {
            sink: &mut sink,
            pages: &mut pages,
            events: &mut events,
            depth: 0,
        };
        let mut de = serde_json::Deserializer::from_str(text);
        item.deserialize(&mut de).unwrap();
        out
    }

    #[test]
    fn beta_flat_status_and_any_letter_case() {
        let e = &events_of(
            r#"{"Action":"Create","StatusInfo":{"Status":"Failure","ErrorCode":"EntryConflict","Reason":"409"},
               "ServicePrincipal":[{"Id":"sp1","Name":"Contoso"}],"SourceIdentity":{"ID":"u1"}}"#,
        )[0];
        assert_eq!(e.action.as_deref(), Some("Create"));
        assert_eq!(e.status.as_deref(), Some("Failure"));
        assert_eq!(e.error.code.as_deref(), Some("EntryConflict"));
        assert_eq!(e.service_principal.display_name.as_deref(), Some("Contoso"));
        assert_eq!(e.source.id.as_deref(), Some("u1"));
    }

    #[test]
    fn log_analytics_nested_json_strings() {
        let e = &events_of(
            r#"{"TimeGenerated":"2023-07-31T00:40:37Z","ProvisioningAction":"Update","ResultType":"Failure",
               "ResultSignature":"InvalidAnchor","ResultDescription":"no anchor",
               "ServicePrincipal":"{\"id\":\"sp1\",\"displayName\":\"Contoso\"}",
               "SourceIdentity":"{\"id\":\"u1\",\"identityType\":\"User\"}",
               "ProvisioningSteps":"[{\"name\":\"EntrySynchronizationScoping\",\"provisioningStepType\":\"scoping\",\"details\":{\"Scoping filter evaluation passed\":\"False\"}}]"}"#,
        )[0];
        assert_eq!(e.status.as_deref(), Some("Failure"));
        assert_eq!(e.error.code.as_deref(), Some("InvalidAnchor"));
        assert_eq!(e.error.reason.as_deref(), Some("no anchor"));
        assert_eq!(
            e.steps[0].detail("scoping filter evaluation passed"),
            Some("False")
        );
        assert!(e.time.is_some());
    }

    #[test]
    fn pages_arrays_and_envelopes() {
        let evs = events_of(
            r#"[{"value":[{"sourceIdentity":{"id":"a"}},{"sourceIdentity":{"id":"b"}}],"@odata.nextLink":"x"},
                {"time":"2026-07-17T13:03:13Z","category":"ProvisioningLogs","properties":{"sourceIdentity":{"id":"c"}}},
                {"records":[{"properties":{"sourceIdentity":{"id":"d"}}}]}]"#,
        );
        let ids: Vec<_> = evs.iter().map(|e| e.source.id.clone().unwrap()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
        assert!(evs[2].time.is_some(), "the envelope's time is the fallback");
    }

    #[test]
    fn null_error_information_and_initiating_type() {
        let e = &events_of(
            r#"{"provisioningStatusInfo":{"status":"success","errorInformation":null},
                "initiatedBy":{"initiatingType":"system"},"sourceIdentity":{"id":"a"}}"#,
        )[0];
        assert!(e.error.is_empty());
        assert_eq!(e.initiator_type.as_deref(), Some("system"));
    }
}
