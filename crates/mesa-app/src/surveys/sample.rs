//! The weekly random sample (seed 001, step 8): per agent, a few of the
//! requesters they served that week are sent the survey. The rules are
//! `mesa_core::survey::sample::choose`; this gathers its input, makes the
//! links and records the week, once, in one transaction.

use std::collections::{HashMap, HashSet};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use mesa_core::TicketType;
use mesa_core::survey::sample::{Candidate, IsoWeek, choose};

use super::survey_path;
use crate::{AppResult, Desk};

/// One chosen ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleLine {
    pub number: i64,
    pub agent_email: String,
    pub requester_email: String,
    /// The survey link (`None` on a dry run, which makes none).
    pub link: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SampleReport {
    pub week: IsoWeek,
    pub seed: u64,
    pub lines: Vec<SampleLine>,
    /// The week had been sampled already: nothing was chosen or sent.
    pub already_sampled: bool,
}

impl Desk {
    /// Samples `week` (in the desk's time zone). With `dry_run` nothing is
    /// written or sent; otherwise the links are made, the week is recorded
    /// (a second run, here or in another process, finds it and does
    /// nothing) and each chosen requester is mailed their link.
    pub async fn survey_sample(&self, week: IsoWeek, seed: Option<u64>, dry_run: bool) -> AppResult<SampleReport> {
        let seed = seed.unwrap_or_else(|| OsRng.next_u64());
        let key = week.to_string();
        let mut report = SampleReport { week, seed, lines: Vec::new(), already_sampled: false };
        if self.store.week_sampled(&key).await? {
            report.already_sampled = true;
            return Ok(report);
        }
        let settings = self.survey_settings().await?;
        let tz = self.policy().await?.default_calendar().timezone();
        let start = |day: NaiveDate| -> DateTime<Utc> {
            tz.from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
                .earliest()
                .map_or_else(|| day.and_hms_opt(0, 0, 0).expect("midnight").and_utc(), |t| t.with_timezone(&Utc))
        };
        let from = start(week.monday());
        let to = start(week.monday() + Duration::days(7));
        let rows = self.store.sample_candidates(from, to).await?;
        let asked: HashSet<i64> = self
            .store
            .requesters_asked_since(to - Duration::days(i64::from(settings.period_days)))
            .await?
            .into_iter()
            .collect();
        let candidates: Vec<Candidate> = rows
            .iter()
            .map(|r| Candidate {
                ticket_id: r.ticket_id,
                number: r.number,
                agent_id: r.agent_id,
                requester_id: r.requester_id,
                ticket_type: TicketType::parse(&r.ticket_type).unwrap_or(TicketType::SecurityIncident),
            })
            .collect();
        let chosen = choose(&candidates, &asked, settings.sample_per_agent as usize, seed);

        let users: HashMap<i64, mesa_core::User> =
            self.store.list_users().await?.into_iter().map(|u| (u.id, u)).collect();
        let email = |id: i64| users.get(&id).map(|u| u.email.as_str().to_owned()).unwrap_or_default();
        let mut links = Vec::new();
        let mut views = Vec::new();
        for c in &chosen {
            let view = self.store.ticket_by_id(c.ticket_id).await?;
            let (token, new) = self.new_survey_link(&view, "sample", &settings, Utc::now()).await?;
            report.lines.push(SampleLine {
                number: c.number,
                agent_email: email(c.agent_id),
                requester_email: email(c.requester_id),
                link: (!dry_run).then(|| format!("{}{}", self.public_base(), survey_path(&token))),
            });
            links.push(new);
            views.push(view);
        }
        if dry_run {
            return Ok(report);
        }
        if !self.store.record_sample(&key, seed, &links).await? {
            report.lines.clear();
            report.already_sampled = true;
            return Ok(report);
        }
        self.mail_sample(&report, &views, &users).await;
        Ok(report)
    }

    /// The automation worker's step: when the desk samples weekly, samples
    /// the last complete week unless it was (here or in another process).
    pub async fn weekly_survey_sample(&self, now: DateTime<Utc>) -> AppResult<Option<SampleReport>> {
        if !self.survey_settings().await?.weekly_sample {
            return Ok(None);
        }
        let tz = self.policy().await?.default_calendar().timezone();
        let week = IsoWeek::of(now.with_timezone(&tz).date_naive()).previous();
        if self.store.week_sampled(&week.to_string()).await? {
            return Ok(None);
        }
        self.survey_sample(week, None, false).await.map(Some)
    }

    /// Mails each chosen requester their link (when mail is configured).
    async fn mail_sample(
        &self,
        report: &SampleReport,
        views: &[mesa_store::TicketView],
        users: &HashMap<i64, mesa_core::User>,
    ) {
        let result: AppResult<()> = async {
            let Some(renderer) = self.renderer().await? else { return Ok(()) };
            for (line, view) in report.lines.iter().zip(views) {
                let Some(requester) = users.get(&view.ticket.requester_id) else { continue };
                let values = [
                    ("number", view.ticket.number.to_string()),
                    ("subject", view.ticket.subject.clone()),
                    ("assignee", view.assignee_name.clone().unwrap_or_default()),
                    ("survey_link", line.link.clone().unwrap_or_default()),
                ];
                let dedupe = format!("survey_invite:{}:{}", view.ticket.id, requester.id);
                let mail = renderer.person_mail(requester, "survey_invite", &values, dedupe, Some(view.ticket.id));
                self.store.queue_mail(&mail).await?;
            }
            Ok(())
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not queue the survey invitations");
        }
    }
}
