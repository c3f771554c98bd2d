//! Twilio WhatsApp Senders in the common status model: `status` `ONLINE` and
//! `ONLINE:UPDATING` are `connected`; `OFFLINE` `disconnected` and `PENDING_VERIFICATION`
//! `awaiting_pairing`, both fixed in Twilio's console (`review_account`); `CREATING`,
//! `DRAFT`, `STUBBED`, `VERIFYING` and `TWILIO_REVIEW` `provisioning`; any other `unknown`.
//! The phone is `sender_id` after its `whatsapp:` prefix and the business name the
//! profile's; details: `quality_rating`, `messaging_limit` and Twilio's `offline_reasons`.
//!
//! The document declares most of these schemas `nullable`, which the generator makes
//! newtypes around an `Option`: `.0` reaches the value.

use wa_client_support::wa_model::RequiredAction;
use wa_client_support::wa_model::{Account, ConnectionState as S, Observation, Reading};

use crate::types::MessagingV2ChannelsSenderResponse as Sender;

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &Sender) -> Reading {
    let status = body.status.as_ref().map_or("", |status| status.as_str());
    let (state, review) = match status {
        "ONLINE" | "ONLINE:UPDATING" => (S::Connected, false),
        "OFFLINE" => (S::Disconnected, true),
        "PENDING_VERIFICATION" => (S::AwaitingPairing, true),
        "CREATING" | "DRAFT" | "STUBBED" | "VERIFYING" | "TWILIO_REVIEW" => {
            (S::Provisioning, false)
        }
        _ => (S::Unknown, false),
    };
    let phone = body
        .sender_id
        .as_ref()
        .and_then(|id| id.0.as_deref())
        .map(|id| id.strip_prefix("whatsapp:").unwrap_or(id));
    let profile = body.profile.as_ref().and_then(|p| p.0.as_ref());
    let account = Account::default()
        .with_phone(phone)
        .with_business_name(profile.and_then(|p| p.name.clone()));
    // Twilio's reasons, `CODE: message` each, in its order.
    let reasons: Vec<String> = body
        .offline_reasons
        .iter()
        .flat_map(|reasons| reasons.0.iter().flatten())
        .filter_map(|reason| reason.0.as_ref())
        .map(|reason| {
            let code = reason.code.as_deref().unwrap_or("?");
            format!("{code}: {}", reason.message.as_deref().unwrap_or(""))
        })
        .collect();
    let properties = body.properties.as_ref().and_then(|p| p.0.as_ref());
    let mut observation = Observation::new(state, status)
        .with_account(account)
        .with_detail(
            "quality_rating",
            properties.and_then(|p| p.quality_rating.clone()),
        )
        .with_detail(
            "messaging_limit",
            properties.and_then(|p| p.messaging_limit.clone()),
        )
        .with_detail("offline_reasons", Some(reasons.join("; ")));
    if review {
        observation = observation.with_action(RequiredAction::ReviewAccount);
    }
    Ok(observation)
}
