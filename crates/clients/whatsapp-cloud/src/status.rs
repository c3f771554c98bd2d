//! WhatsApp Cloud in the common status model. The rows apply in this order, the first that
//! matches wins: `status` `BANNED` is `banned`; `DISCONNECTED`, `UNLINKED`, `DELETED`
//! `disconnected`; `can_send_message` `BLOCKED` or `LIMITED`, or `status` `RESTRICTED` or
//! `FLAGGED`, `restricted`; `UNVERIFIED` `awaiting_pairing`; `PENDING` `provisioning`;
//! `CONNECTED` or `LINKED` (or no status) with `AVAILABLE` (or no health) `connected`; any
//! other `unknown`. The fix of every row but the last two is in Meta's console
//! (`review_account`). The raw value is `STATUS/CAN_SEND`, a part left out when absent.
//! Details: `quality_rating`, `messaging_limit_tier`, the first error of a blocked entity
//! (`health_error`) and what limits a limited one (`health_info`, its `additional_info`).

use wa_client_support::wa_model::RequiredAction;
use wa_client_support::wa_model::{
    Account, ConnectionState as S, HealthEntity, Observation, Reading,
};

use crate::types::PhoneNumberInfo;

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &PhoneNumberInfo) -> Reading {
    let status = body.status.as_deref();
    let health = body.health_status.as_ref();
    let can_send = health.and_then(|h| h.can_send_message.as_deref());
    let (state, review) = match (status, can_send) {
        (Some("BANNED"), _) => (S::Banned, false),
        (Some("DISCONNECTED" | "UNLINKED" | "DELETED"), _) => (S::Disconnected, true),
        (_, Some("BLOCKED" | "LIMITED")) | (Some("RESTRICTED" | "FLAGGED"), _) => {
            (S::Restricted, true)
        }
        (Some("UNVERIFIED"), _) => (S::AwaitingPairing, true),
        (Some("PENDING"), _) => (S::Provisioning, false),
        (None | Some("CONNECTED" | "LINKED"), None | Some("AVAILABLE")) => (S::Connected, false),
        _ => (S::Unknown, false),
    };
    let raw: Vec<&str> = [status, can_send].into_iter().flatten().collect();
    let phone = body
        .display_phone_number
        .as_deref()
        .map(|p| p.replace([' ', '-'], ""));
    let account = Account::default()
        .with_phone(phone.as_deref())
        .with_business_name(body.verified_name.clone());
    let entities = health.into_iter().flat_map(|h| h.entities.iter().flatten());
    let mut observation = Observation::new(state, raw.join("/"))
        .with_account(account)
        .with_detail("quality_rating", body.quality_rating.clone())
        .with_detail("messaging_limit_tier", body.messaging_limit_tier.clone())
        .with_health(entities.map(|entity| {
            HealthEntity {
                entity_type: entity.entity_type.as_deref(),
                first_error: entity
                    .errors
                    .as_ref()
                    .and_then(|errors| errors.first())
                    .map(|e| (e.error_code, e.error_description.as_deref())),
                additional_info: entity.additional_info.as_deref().unwrap_or_default(),
            }
        }));
    if review {
        observation = observation.with_action(RequiredAction::ReviewAccount);
    }
    Ok(observation)
}
