//! People after they exist: what an administrator (or the person, for their
//! own phone) changes, and the bulk import from an HR spreadsheet.

use std::collections::HashMap;

use mesa_core::people::{OPTIONAL_COLUMNS, PersonRow, REQUIRED_COLUMNS, RawPerson, name_key};
use mesa_core::ticket::{Level, limits};
use mesa_core::validate::{FieldError, optional_text, required_text};
use mesa_core::{Actor, Email, Role, User};
use mesa_store::{Directory, NewUser, StoreError, UserRecord};

use crate::{AppError, AppResult, Desk};

/// A change to a person; `None` leaves a field as it is, `Some(None)`
/// empties it.
#[derive(Debug, Clone, Default)]
pub struct PersonChanges {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub team_id: Option<Option<i64>>,
    pub level: Option<i64>,
    pub active: Option<bool>,
    pub dispatcher: Option<bool>,
    pub department_id: Option<Option<i64>>,
    pub building_id: Option<Option<i64>>,
    pub phone: Option<Option<String>>,
}

impl PersonChanges {
    /// Whether only the phone changes (what a person may do to themself).
    fn only_phone(&self) -> bool {
        let PersonChanges { name, role, team_id, level, active, dispatcher, department_id, building_id, phone: _ } =
            self;
        name.is_none()
            && role.is_none()
            && team_id.is_none()
            && level.is_none()
            && active.is_none()
            && dispatcher.is_none()
            && department_id.is_none()
            && building_id.is_none()
    }
}

impl Desk {
    /// Changes a person. Administrators change anything but their own
    /// administration rights; anyone may change their own phone.
    pub async fn change_person(&self, actor: &Actor, email: &str, changes: PersonChanges) -> AppResult<User> {
        let user = match Email::parse(email) {
            Ok(email) => self.store.user_by_email(&email).await?,
            Err(_) => None,
        };
        let own = user.as_ref().is_some_and(|u| u.id == actor.user_id);
        // Checked before "not found", so nobody but an admin learns who exists.
        if !(actor.can_manage_users() || (own && changes.only_phone())) {
            return Err(AppError::forbidden("only administrators change people (anyone may change their own phone)"));
        }
        let user = user.ok_or(AppError::NotFound("user"))?;
        let mut record = UserRecord::of(&user);
        if let Some(name) = &changes.name {
            record.name = required_text("name", name, limits::NAME)?;
        }
        if let Some(role) = changes.role {
            record.role = role;
        }
        if let Some(level) = changes.level {
            record.level = Level::new(level)?.get().into();
        }
        if let Some(active) = changes.active {
            record.active = active;
        }
        if let Some(dispatcher) = changes.dispatcher {
            record.dispatcher = dispatcher;
        }
        if let Some(team) = changes.team_id {
            record.team_id = self.active_ref(Directory::Teams, team, "team_id").await?;
        }
        if let Some(department) = changes.department_id {
            record.department_id = self.active_ref(Directory::Departments, department, "department_id").await?;
        }
        if let Some(building) = changes.building_id {
            record.building_id = self.active_ref(Directory::Buildings, building, "building_id").await?;
        }
        if let Some(phone) = &changes.phone {
            record.phone = optional_text("phone", phone.as_deref(), limits::PHONE)?;
        }
        if own && ((user.role == Role::Admin && record.role != Role::Admin) || !record.active) {
            return Err(
                FieldError::new("role", "self_lockout", "you cannot remove your own administration rights").into()
            );
        }
        if record.dispatcher && !record.role.is_staff() {
            return Err(
                FieldError::new("dispatcher", "not_staff", "only agents and administrators dispatch tickets").into()
            );
        }
        self.store.write_user_record(user.id, &record).await?;
        self.forget_tokens();
        Ok(self.store.user_by_id(user.id).await?)
    }

    /// A reference to an active directory item, or none.
    async fn active_ref(&self, dir: Directory, id: Option<i64>, field: &'static str) -> AppResult<Option<i64>> {
        let Some(id) = id else { return Ok(None) };
        match self.store.item(dir, id).await {
            Ok(item) if item.active => Ok(Some(item.id)),
            Ok(_) | Err(StoreError::NotFound) => {
                Err(FieldError::new(field, "unknown", format!("{field} {id} does not exist or is inactive")).into())
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// What an import did (or, on a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// One line per refused row: `line N: why`.
    pub refused: Vec<String>,
}

impl ImportReport {
    /// The last line `mesa user import` prints.
    pub fn summary(&self) -> String {
        format!("imported {}, updated {}, refused {}", self.imported, self.updated, self.refused.len())
    }
}

/// Directory names, folded, to ids (active items only).
struct Names(HashMap<String, i64>);

impl Names {
    fn find(&self, name: &str) -> Option<i64> {
        self.0.get(&name_key(name)).copied()
    }
}

/// A CSV reader past its header row (trimmed cells, a byte-order mark and
/// case ignored in names), and the column names; the file is refused when
/// one of `required` is missing. Shared by the people and asset imports.
pub(crate) fn csv_with_columns<'a>(
    csv: &'a [u8],
    required: &[&str],
) -> AppResult<(csv::Reader<&'a [u8]>, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(csv);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| FieldError::new("file", "unreadable", format!("the header row cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
        .collect();
    if let Some(missing) = required.iter().find(|c| !headers.iter().any(|h| h == *c)) {
        return Err(FieldError::new(
            "file",
            "missing_column",
            format!("the header row lacks the column {missing:?} (needs {})", required.join(",")),
        )
        .into());
    }
    Ok((reader, headers))
}

impl Desk {
    /// Imports people from CSV (header `email,name,role,department,phone`,
    /// optionally `building,team,level`, in any order). Idempotent by
    /// e-mail: a known address is updated, and only when something differs;
    /// an empty cell leaves the field as it is. Departments, buildings and
    /// teams are matched by name ignoring case and accents. The local
    /// command line only (whoever runs `mesa` on the server is trusted).
    pub async fn import_people(&self, csv: &[u8], dry_run: bool) -> AppResult<ImportReport> {
        let (mut reader, headers) = crate::people::csv_with_columns(csv, &REQUIRED_COLUMNS)?;
        let column = |name: &str| headers.iter().position(|h| h == name);
        let known = |name: &&str| REQUIRED_COLUMNS.contains(name) || OPTIONAL_COLUMNS.contains(name);
        if let Some(extra) = headers.iter().find(|h| !known(&h.as_str())) {
            tracing::info!(column = %extra, "import: column ignored");
        }
        let departments = self.names(Directory::Departments).await?;
        let buildings = self.names(Directory::Buildings).await?;
        let teams = self.names(Directory::Teams).await?;
        let mut report = ImportReport::default();
        let mut seen: HashMap<Email, u64> = HashMap::new();
        for (index, record) in reader.records().enumerate() {
            // Line numbers as a spreadsheet shows them: the header is line 1.
            let line = record.as_ref().ok().and_then(|r| r.position()).map_or(index as u64 + 2, |p| p.line());
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    report.refused.push(format!("line {line}: unreadable row ({e})"));
                    continue;
                }
            };
            if record.iter().all(str::is_empty) {
                continue;
            }
            let cell = |name: &str| column(name).and_then(|i| record.get(i)).map(str::to_owned);
            let raw = RawPerson {
                email: cell("email").unwrap_or_default(),
                name: cell("name").unwrap_or_default(),
                role: cell("role").unwrap_or_default(),
                department: cell("department"),
                phone: cell("phone"),
                building: cell("building"),
                team: cell("team"),
                level: cell("level"),
            };
            let row = match PersonRow::parse(&raw) {
                Ok(row) => row,
                Err(e) => {
                    report.refused.push(format!("line {line}: {}", e.message));
                    continue;
                }
            };
            if let Some(first) = seen.insert(row.email.clone(), line) {
                report.refused.push(format!("line {line}: {} is already on line {first}", row.email));
                continue;
            }
            let lookup = |names: &Names, value: &Option<String>, what: &str| match value {
                None => Ok(None),
                Some(name) => {
                    names.find(name).map(Some).ok_or_else(|| format!("line {line}: no {what} named {name:?}"))
                }
            };
            let resolved = (|| {
                Ok::<_, String>((
                    lookup(&departments, &row.department, "department")?,
                    lookup(&buildings, &row.building, "building")?,
                    lookup(&teams, &row.team, "team")?,
                ))
            })();
            let (department_id, building_id, team_id) = match resolved {
                Ok(ids) => ids,
                Err(why) => {
                    report.refused.push(why);
                    continue;
                }
            };
            match self.store.user_by_email(&row.email).await? {
                Some(user) => {
                    let mut record = UserRecord::of(&user);
                    record.name = row.name.clone();
                    record.role = row.role.unwrap_or(user.role);
                    record.department_id = department_id.or(record.department_id);
                    record.building_id = building_id.or(record.building_id);
                    record.team_id = team_id.or(record.team_id);
                    record.phone = row.phone.clone().or(record.phone);
                    record.level = row.level.map_or(record.level, |l| l.get().into());
                    if record == UserRecord::of(&user) {
                        report.unchanged += 1;
                        continue;
                    }
                    if !dry_run {
                        self.store.write_user_record(user.id, &record).await?;
                    }
                    report.updated += 1;
                }
                None => {
                    let mut new =
                        NewUser::new(row.email.clone(), row.name.clone(), row.role.unwrap_or(Role::Requester));
                    new.department_id = department_id;
                    new.building_id = building_id;
                    new.team_id = team_id;
                    new.phone = row.phone.clone();
                    new.level = row.level.map_or(1, |l| l.get().into());
                    if !dry_run {
                        match self.store.create_user(&new).await {
                            Ok(_) => {}
                            Err(StoreError::Conflict(_)) => {
                                report.refused.push(format!("line {line}: {} was added meanwhile", row.email));
                                continue;
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                    report.imported += 1;
                }
            }
        }
        if !dry_run {
            self.forget_tokens();
        }
        Ok(report)
    }

    async fn names(&self, dir: Directory) -> AppResult<Names> {
        let items = self.store.list_items(dir, false).await?;
        Ok(Names(items.into_iter().map(|i| (name_key(&i.name), i.id)).collect()))
    }
}
