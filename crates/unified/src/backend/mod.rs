//! Reading one instance through its provider's client: connect, call, read the answer into
//! the common model, map every failure to an [`Error`]. It is the same code for every
//! provider; what differs is the client's `StatusApi` implementation in its own crate, and
//! the generated dispatch that picks the client (`generated.rs`).

mod errors;

use wa_client_support::{capture_error_answers, StatusApi, Transport};

use crate::config::InstanceConfig;
use crate::error::Error;
use crate::model::Observation;
use crate::Provider;

/// The client for `config`.
pub(crate) fn connect<C: StatusApi>(
    config: &InstanceConfig,
    transport: &Transport,
) -> Result<C, Error> {
    C::connect(config.target(), transport)
        .map_err(|e| Error::invalid_config(Some(config.provider()), e.to_string()))
}

/// One attempt at reading the instance's state. Error answers are captured so that every
/// one is classified by its status, whatever its body.
pub(crate) async fn observe<C: StatusApi>(
    client: &C,
    config: &InstanceConfig,
) -> Result<Observation, Error> {
    let provider = config.provider();
    let secrets = config.secrets();
    let (result, answer) = capture_error_answers(client.fetch(config.target())).await;
    match result {
        Ok(response) => read::<C>(provider, response.as_ref(), &secrets),
        Err(error) => match answer {
            Some(answer) => {
                match errors::state_in_answer(provider, answer.status, &answer.body, &secrets) {
                    Some(observation) => Ok(observation),
                    None => Err(errors::from_answer(
                        provider,
                        answer.status,
                        &answer.headers,
                        &answer.body,
                        &secrets,
                    )),
                }
            }
            None => Err(errors::from_client_error(provider, error, &secrets).await),
        },
    }
}

/// Decodes and reads a success body, as the client does.
pub(crate) fn decode<C: StatusApi>(provider: Provider, body: &[u8]) -> Result<Observation, Error> {
    wa_client_support::check_objects(body, C::OBJECTS)
        .map_err(|e| errors::from_success_body(provider, body, &e.to_string(), false, &[]))?;
    let decoded: C::Body = serde_json::from_slice(body)
        .map_err(|e| errors::from_success_body(provider, body, &e.to_string(), false, &[]))?;
    read::<C>(provider, &decoded, &[])
}

fn read<C: StatusApi>(
    provider: Provider,
    body: &C::Body,
    secrets: &[&str],
) -> Result<Observation, Error> {
    C::read(body).map_err(|unreadable| {
        let text = serde_json::to_vec(body).unwrap_or_default();
        errors::from_success_body(
            provider,
            &text,
            &unreadable.reason,
            unreadable.reported,
            secrets,
        )
    })
}

/// The error for a config whose provider's cargo feature is off.
pub(crate) fn not_enabled(provider: Provider) -> Error {
    Error::invalid_config(
        Some(provider),
        format!(
            "the provider `{provider}` is not enabled in this build: enable the cargo feature `{provider}` of wa-unified"
        ),
    )
}
