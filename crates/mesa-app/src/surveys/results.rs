//! Survey results for a period, overall and per agent, service or building
//! (the figures themselves are `mesa_core::survey::results`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mesa_core::Actor;
use mesa_core::survey::Answers;
use mesa_core::survey::results::{Figures, Sent, figures};
use mesa_core::validate::FieldError;

use crate::{AppError, AppResult, Desk};

/// What the results are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Agent,
    Service,
    Building,
}

impl GroupBy {
    pub const ALL: [GroupBy; 3] = [GroupBy::Agent, GroupBy::Service, GroupBy::Building];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Agent => "agent",
            GroupBy::Service => "service",
            GroupBy::Building => "building",
        }
    }

    pub fn parse(raw: &str) -> Result<GroupBy, FieldError> {
        GroupBy::ALL
            .into_iter()
            .find(|g| g.as_str() == raw)
            .ok_or_else(|| FieldError::new("group_by", "invalid", "group_by must be one of: agent, service, building"))
    }
}

/// The figures of one group (`id`/`name` `None`: links without one, e.g.
/// tickets with no building).
#[derive(Debug, Clone)]
pub struct ResultGroup {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub figures: Figures,
}

#[derive(Debug, Clone)]
pub struct SurveyResults {
    pub total: Figures,
    pub groups: Vec<ResultGroup>,
}

impl Desk {
    /// The results of the links made in `[from, to)`: administrators and
    /// managers (the monthly report's readers).
    pub async fn survey_results(
        &self,
        actor: &Actor,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        group_by: Option<GroupBy>,
    ) -> AppResult<SurveyResults> {
        if !matches!(actor.role, mesa_core::Role::Admin | mesa_core::Role::Manager) {
            return Err(AppError::forbidden("only administrators and managers read survey results"));
        }
        if from >= to {
            return Err(FieldError::new("to", "invalid", "to must be after from").into());
        }
        let rows = self.store.survey_results(from, to).await?;
        let order: Vec<String> = self.active_survey().await?.questions.into_iter().map(|q| q.key).collect();
        let mut sent = Vec::with_capacity(rows.len());
        let mut keyed: BTreeMap<Option<i64>, (Option<String>, Vec<usize>)> = BTreeMap::new();
        for (i, row) in rows.into_iter().enumerate() {
            let answers: Option<Answers> =
                match &row.answers {
                    Some(raw) => Some(serde_json::from_str(raw).map_err(|e| {
                        AppError::Internal(mesa_store::StoreError::Corrupt(format!("survey answer: {e}")))
                    })?),
                    None => None,
                };
            sent.push(Sent { answers });
            let (id, name) = match group_by {
                Some(GroupBy::Agent) => (row.agent_id, row.agent_name),
                Some(GroupBy::Service) => (row.service_id, row.service_name),
                Some(GroupBy::Building) => (row.building_id, row.building_name),
                None => continue,
            };
            let entry = keyed.entry(id).or_insert_with(|| (name, Vec::new()));
            entry.1.push(i);
        }
        let total = figures(&sent, &order);
        let groups = keyed
            .into_iter()
            .map(|(id, (name, members))| ResultGroup {
                id,
                name,
                figures: figures(members.iter().map(|&i| &sent[i]), &order),
            })
            .collect();
        Ok(SurveyResults { total, groups })
    }
}
