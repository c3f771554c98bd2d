//! The config of every provider, driven by the catalog: each connection-string form, the
//! builder, the environment and the fleet file, for every provider in `specs/`.

use std::collections::HashMap;

use wa_providers::ConnectionForm;

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

const INSTANCE: &str = "1101000001";

/// The keys of the provider's first set of credentials: `token` for most, two for a
/// provider that takes HTTP Basic.
fn first_set(provider: Provider) -> Vec<&'static str> {
    provider
        .info()
        .credential_sets()
        .into_iter()
        .find(|set| !set.is_empty())
        .unwrap_or_default()
}

/// `builder` with every credential of the provider's first set, each `secret`.
fn with_first_set(
    builder: InstanceConfigBuilder,
    provider: Provider,
    secret: &str,
) -> InstanceConfigBuilder {
    first_set(provider)
        .into_iter()
        .fold(builder, |builder, key| builder.with_credential(key, secret))
}
/// The instance a config of `provider` at `host` has when given [`INSTANCE`] the way its
/// forms take it: that one, or the host where the provider knows the instance by a
/// credential and the forms name none.
fn instance_or_host(provider: Provider, host: &'static str) -> &'static str {
    match provider.info().instance.named_by {
        Some(_) => host,
        None => INSTANCE,
    }
}

/// Credentials with characters that must be percent-encoded, as written and as meant.
const WRITTEN: [&str; 2] = ["s3cr3t%2Fa", "0th3r%40b"];
const MEANT: [&str; 2] = ["s3cr3t/a", "0th3r@b"];

/// A connection string in `form`, over plain HTTP to `127.0.0.1:8080/base`.
fn fill(provider: Provider, form: &ConnectionForm) -> (String, usize) {
    let info = provider.info();
    let mut credentials = 0;
    let userinfo: Vec<&str> = form
        .userinfo
        .iter()
        .map(|placeholder| {
            if info.instance.is_placeholder(placeholder) {
                INSTANCE
            } else {
                credentials += 1;
                WRITTEN[credentials - 1]
            }
        })
        .collect();
    let at = if userinfo.is_empty() {
        String::new()
    } else {
        format!("{}@", userinfo.join(":"))
    };
    let tail = if form.tail.is_some() {
        format!("/{INSTANCE}")
    } else {
        String::new()
    };
    (
        format!("{provider}+http://{at}127.0.0.1:8080/base{tail}"),
        credentials,
    )
}

fn every_form() -> Vec<(Provider, &'static ConnectionForm)> {
    Provider::ALL
        .iter()
        .flat_map(|p| p.info().connection_strings.iter().map(move |f| (*p, f)))
        .collect()
}

#[test]
fn every_connection_string_form_parses() {
    for (provider, form) in every_form() {
        let (text, credentials) = fill(provider, form);
        let config: InstanceConfig = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(config.provider(), provider, "{text}");
        assert_eq!(config.base_url(), "http://127.0.0.1:8080/base", "{text}");
        assert_eq!(
            config.instance(),
            instance_or_host(provider, "127.0.0.1:8080"),
            "{text}"
        );
        let mut secrets = config.secrets();
        secrets.sort();
        let mut meant = MEANT[..credentials].to_vec();
        meant.sort();
        assert_eq!(secrets, meant, "{text}");
        // Without `+http`, https.
        let https: InstanceConfig = text.replacen("+http", "", 1).parse().unwrap();
        assert_eq!(https.base_url(), "https://127.0.0.1:8080/base", "{text}");
    }
}

#[test]
fn display_and_debug_show_no_secret() {
    for (provider, form) in every_form() {
        let (text, credentials) = fill(provider, form);
        let config: InstanceConfig = text.parse().unwrap();
        let info = provider.info();
        let mut userinfo: Vec<&str> = Vec::new();
        for placeholder in form.userinfo {
            let part = if info.instance.is_placeholder(placeholder) {
                INSTANCE
            } else {
                "***"
            };
            if !(part == "***" && userinfo.last() == Some(&"***")) {
                userinfo.push(part);
            }
        }
        let at = if userinfo.is_empty() {
            String::new()
        } else {
            format!("{}@", userinfo.join(":"))
        };
        let tail = if form.tail.is_some() {
            format!("/{INSTANCE}")
        } else {
            String::new()
        };
        assert_eq!(
            config.to_string(),
            format!("{provider}+http://{at}127.0.0.1:8080/base{tail}"),
            "{credentials} credentials"
        );
        let printed = format!("{config} {config:?} {config:#?}");
        for secret in MEANT.iter().chain(&WRITTEN) {
            assert!(!printed.contains(secret), "{printed}");
        }
    }
}

#[test]
fn bad_connection_strings_say_which_part_is_wrong() {
    let message = |s: &str| s.parse::<InstanceConfig>().unwrap_err().to_string();
    for provider in Provider::ALL.iter().copied() {
        let info = provider.info();
        let forms: Vec<&str> = info.connection_strings.iter().map(|f| f.text).collect();
        let expected = forms.join(" or ");
        let prefix = format!("{provider}: invalid_config: connection string");
        for form in info.connection_strings {
            let (text, _) = fill(provider, form);
            if form.tail.is_some() {
                let without = text
                    .trim_end_matches(&format!("/{INSTANCE}"))
                    .replace("/base", "");
                assert_eq!(
                    message(&without),
                    format!("{prefix} `{}`: the instance is missing after the host: expected {expected}", redact(&without))
                );
            }
            if !form.userinfo.is_empty() {
                let no_host = text.replace("127.0.0.1:8080/base", "");
                let no_host = no_host.trim_end_matches(&format!("/{INSTANCE}")).to_owned() + "/k";
                assert_eq!(
                    message(&no_host),
                    format!(
                        "{prefix} `{}`: the host is missing: expected {expected}",
                        redact(&no_host)
                    )
                );
                let bad_port = text.replace("8080", "notaport");
                assert_eq!(
                    message(&bad_port),
                    format!("{provider}: invalid_config: invalid base URL: invalid port number")
                );
            }
        }
        if !info
            .connection_strings
            .iter()
            .any(|f| f.userinfo.is_empty())
        {
            let bare = format!("{provider}://host/{INSTANCE}");
            assert_eq!(
                message(&bare),
                format!("{prefix} `{provider}://***/…`: the credentials are missing: expected {expected}")
            );
        }
        if !info
            .connection_strings
            .iter()
            .any(|f| !f.userinfo.is_empty() && f.userinfo.len() - f.optional.len() <= 1)
        {
            // No form takes one credential (a `TOKEN[:CLIENT_TOKEN]` form takes one or two).
            let shapes: Vec<String> = info
                .connection_strings
                .iter()
                .map(|f| f.userinfo.join(":"))
                .collect();
            let one = format!("{provider}://s3cr3t@host");
            assert_eq!(
                message(&one),
                format!("{prefix} `{provider}://***@***`: the credentials must be {}: expected {expected}", shapes.join(" or "))
            );
        }
        if let Some(digits) = info.instance.digits {
            let long = "1".repeat(usize::from(digits) + 1);
            let config = InstanceConfig::builder(provider)
                .with_base_url("https://host")
                .with_instance(&long)
                .with_token("s3cr3t")
                .build();
            assert_eq!(
                config.unwrap_err().to_string(),
                format!(
                    "{provider}: invalid_config: the {} is not a number of up to {digits} digits (it has {} characters)",
                    info.instance.noun,
                    long.len()
                )
            );
            // A token written where the id goes is not printed.
            let swapped = InstanceConfig::builder(provider)
                .with_base_url("https://host")
                .with_instance("tok-secret-abcdef")
                .with_token("1101000001")
                .build()
                .unwrap_err()
                .to_string();
            assert!(!swapped.contains("tok-secret"), "{swapped}");
        }
    }
}

fn redact(text: &str) -> String {
    connection_string::redacted(text)
}

#[test]
fn builders_require_what_has_no_default_and_take_the_default_otherwise() {
    for provider in Provider::ALL.iter().copied() {
        let info = provider.info();
        let built = with_first_set(InstanceConfig::builder(provider), provider, "t")
            .with_instance(INSTANCE)
            .build();
        match info.base_url.default {
            Some(default) => assert_eq!(built.unwrap().base_url(), default.trim_end_matches('/')),
            None => assert_eq!(
                built.unwrap_err().to_string(),
                format!(
                    "{provider}: invalid_config: the {} is missing",
                    info.base_url.noun
                )
            ),
        }
        let no_instance = with_first_set(InstanceConfig::builder(provider), provider, "t")
            .with_base_url("https://h:8443/base")
            .build();
        // An instance the vendor knows by a credential is labelled with the host.
        match info.instance.named_by {
            Some(_) => assert_eq!(no_instance.unwrap().instance(), "h:8443"),
            None => assert_eq!(
                no_instance.unwrap_err().to_string(),
                format!(
                    "{provider}: invalid_config: the {} is missing",
                    info.instance.noun
                )
            ),
        }
        let no_credentials = InstanceConfig::builder(provider)
            .with_base_url("https://h")
            .with_instance(INSTANCE)
            .build();
        let sets = info.credential_sets();
        match sets.iter().any(Vec::is_empty) {
            true => assert_eq!(no_credentials.unwrap().secrets(), Vec::<&str>::new()),
            false => assert_eq!(
                no_credentials.unwrap_err().to_string(),
                format!(
                    "{provider}: invalid_config: the credentials are missing: give {}",
                    info.credential_sets_in_words()
                )
            ),
        }
        let foreign = InstanceConfig::builder(provider)
            .with_base_url("https://h")
            .with_instance(INSTANCE)
            .with_credential("no_such_key", "x")
            .build()
            .unwrap_err();
        let keys: Vec<&str> = info.auth.credentials.iter().map(|c| c.key).collect();
        assert_eq!(
            foreign.to_string(),
            format!(
                "{provider}: invalid_config: `no_such_key` is not a credential of {provider} (its credentials: {})",
                keys.join(", ")
            )
        );
        // Every credential at once is a set only where the provider has one that holds all.
        let mut all = InstanceConfig::builder(provider)
            .with_base_url("https://h")
            .with_instance(INSTANCE);
        for key in &keys {
            all = all.with_credential(key, "x");
        }
        match sets.iter().any(|set| set.len() == keys.len()) {
            true => assert_eq!(all.build().unwrap().secrets().len(), keys.len()),
            false => {
                let nouns: Vec<&str> = info.auth.credentials.iter().map(|c| c.noun).collect();
                assert_eq!(
                    all.build().unwrap_err().to_string(),
                    format!(
                        "{provider}: invalid_config: give {}, not {}",
                        info.credential_sets_in_words(),
                        nouns.join(" and ")
                    )
                );
            }
        }
    }
}

#[test]
fn from_env_reads_the_documented_variables() {
    for provider in Provider::ALL.iter().copied() {
        let info = provider.info();
        // Each set of credentials, from the variables of its credentials.
        for set in info.credential_sets().iter().filter(|set| !set.is_empty()) {
            let mut variables = vec![(info.base_url.env, "https://gateway.example/".to_owned())];
            variables.extend(info.instance.env.map(|env| (env, INSTANCE.to_owned())));
            for key in set {
                let credential = info.auth.credential(key).unwrap();
                variables.push((credential.env, format!("s3cr3t-{key}")));
            }
            let pairs: Vec<(&str, &str)> =
                variables.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let config = InstanceConfig::from_lookup(provider, &env(&pairs)).unwrap();
            let mut secrets = config.secrets();
            secrets.sort();
            let mut expected: Vec<String> = set.iter().map(|key| format!("s3cr3t-{key}")).collect();
            expected.sort();
            assert_eq!(
                (config.base_url(), config.instance(), secrets),
                (
                    "https://gateway.example",
                    instance_or_host(provider, "gateway.example"),
                    expected.iter().map(String::as_str).collect()
                )
            );
        }
        let missing = InstanceConfig::from_lookup(
            provider,
            &env(&[(info.base_url.env, "https://gateway.example")]),
        )
        .unwrap_err();
        // A provider that knows the instance by a credential misses the credentials first.
        let what = match info.instance.named_by {
            Some(_) => format!(
                "the credentials are missing: give {}",
                info.credential_sets_in_words()
            ),
            None => format!("the {} is missing", info.instance.noun),
        };
        assert_eq!(
            missing.to_string(),
            format!("{provider}: invalid_config: {what}")
        );
    }
}

#[test]
fn the_serde_form_reads_a_toml_fleet_with_env_credentials_and_every_alias() {
    #[derive(serde::Deserialize)]
    struct Fleet {
        instance: Vec<InstanceSettings>,
    }
    let lookup = env(&[("MY_TOKEN", "234|abc"), ("MY_SECOND", "c"), ("BLANK", "")]);
    for provider in Provider::ALL.iter().copied() {
        let info = provider.info();
        let set = first_set(provider);
        let variables: String = set
            .iter()
            .map(|key| format!("{key}_env = \"MY_TOKEN\"\n"))
            .collect();
        let text = format!(
            "[[instance]]\nname = \"front\"\nprovider = \"{provider}\"\nbase_url = \"https://h\"\ninstance = {INSTANCE}\n{variables}"
        );
        let fleet: Fleet = toml::from_str(&text).unwrap();
        let settings = fleet.instance.into_iter().next().unwrap();
        assert_eq!(settings.name.as_deref(), Some("front"));
        let config = InstanceConfig::from_settings(settings, &lookup).unwrap();
        assert_eq!(
            (config.instance(), config.secrets()),
            (INSTANCE, vec!["234|abc"; set.len()])
        );
        // The provider's own words for the common keys.
        let mut aliased = format!("provider = \"{provider}\"\n");
        let mut given = Vec::new();
        for (alias, meaning) in info.fleet_aliases {
            let value = match *meaning {
                "base_url" => "\"https://h\"".to_owned(),
                "instance" => format!("\"{INSTANCE}\""),
                _ => "\"s3cr3t\"".to_owned(),
            };
            aliased.push_str(&format!("{alias} = {value}\n"));
            given.push(*meaning);
        }
        let common = [
            ("base_url", "\"https://h\""),
            ("instance", "\"1101000001\""),
        ];
        let credentials = set.iter().map(|key| (*key, "\"s3cr3t\""));
        for (key, value) in common.into_iter().chain(credentials) {
            if !given.contains(&key) {
                aliased.push_str(&format!("{key} = {value}\n"));
            }
        }
        let settings: InstanceSettings = toml::from_str(&aliased).unwrap();
        let config = InstanceConfig::from_settings(settings, &lookup).unwrap();
        assert_eq!(config.base_url(), "https://h");
        // A set of two: one directly, one through its variable; one alone is refused
        // unless it is a set of its own.
        let sets = info.credential_sets();
        for set in sets.iter().filter(|set| set.len() == 2) {
            let (first, second) = (set[0], set[1]);
            let text = format!("provider = \"{provider}\"\nbase_url = \"https://h\"\ninstance = \"{INSTANCE}\"\n{first} = \"i\"\n{second}_env = \"MY_SECOND\"\n");
            let settings: InstanceSettings = toml::from_str(&text).unwrap();
            let config = InstanceConfig::from_settings(settings, &lookup).unwrap();
            let mut secrets = config.secrets();
            secrets.sort();
            assert_eq!(secrets, ["c", "i"]);
            if !sets.iter().any(|s| *s == [first]) {
                let half = format!(
                    "provider = \"{provider}\"\nbase_url = \"https://h\"\ninstance = \"{INSTANCE}\"\n{first} = \"i\"\n"
                );
                let settings: InstanceSettings = toml::from_str(&half).unwrap();
                let noun = info.auth.credential(first).unwrap().noun;
                assert_eq!(
                    InstanceConfig::from_settings(settings, &lookup)
                        .unwrap_err()
                        .to_string(),
                    format!(
                        "{provider}: invalid_config: give {}, not {noun}",
                        info.credential_sets_in_words()
                    )
                );
            }
        }
        let missing: InstanceSettings = toml::from_str(&format!(
            "provider = \"{provider}\"\nbase_url = \"https://a.b\"\ninstance = \"{INSTANCE}\"\n{}_env = \"NOPE\"\n",
            set[0]
        ))
        .unwrap();
        assert_eq!(
            InstanceConfig::from_settings(missing, &lookup).unwrap_err().to_string(),
            format!("{provider}: invalid_config: the environment variable `NOPE` (from `{}_env`) is not set", set[0])
        );
        // Set but empty is said as such.
        let empty: InstanceSettings = toml::from_str(&format!(
            "provider = \"{provider}\"\nbase_url = \"https://a.b\"\ninstance = \"{INSTANCE}\"\n{}_env = \"BLANK\"\n",
            set[0]
        ))
        .unwrap();
        assert_eq!(
            InstanceConfig::from_settings(empty, &lookup).unwrap_err().to_string(),
            format!("{provider}: invalid_config: the environment variable `BLANK` (from `{}_env`) is set but empty", set[0])
        );
    }
    let unknown = toml::from_str::<InstanceSettings>(&format!(
        "provider = \"{}\"\ninstance = \"k\"\npassword = \"x\"\n",
        Provider::ALL[0]
    ))
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(unknown.contains("unknown field `password`"), "{unknown}");
}

#[test]
fn options_take_their_defaults_and_show_when_changed() {
    let mut checked = 0;
    for provider in Provider::ALL.iter().copied() {
        let info = provider.info();
        let (text, _) = fill(provider, &info.connection_strings[0]);
        let names: Vec<&str> = info.options.iter().map(|o| o.name).collect();
        let known = if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        };
        assert_eq!(
            format!("{text}?no-such-option=1").parse::<InstanceConfig>().unwrap_err().to_string(),
            format!("{provider}: invalid_config: `no-such-option` is not an option of {provider} (its options: {known})")
        );
        for option in info.options {
            let config: InstanceConfig = text.parse().unwrap();
            assert_eq!(config.option(option.name), Some(option.default));
            assert!(!config.to_string().contains('?'), "{config}");
            let changed: InstanceConfig = format!("{text}?{}=v99.9", option.name).parse().unwrap();
            assert_eq!(changed.option(option.name), Some("v99.9"));
            assert!(
                changed
                    .to_string()
                    .ends_with(&format!("?{}=v99.9", option.name)),
                "{changed}"
            );
            let mut variables = vec![(info.base_url.env, "https://h"), (option.env, "v98.0")];
            variables.extend(info.instance.env.map(|env| (env, INSTANCE)));
            let first_set = info
                .credential_sets()
                .into_iter()
                .find(|s| !s.is_empty())
                .unwrap_or_default();
            for key in first_set {
                variables.push((info.auth.credential(key).unwrap().env, "t"));
            }
            let from_env = InstanceConfig::from_lookup(provider, &env(&variables)).unwrap();
            assert_eq!(from_env.option(option.name), Some("v98.0"));
            let settings: InstanceSettings = toml::from_str(&format!(
                "provider = \"{provider}\"\nbase_url = \"https://h\"\ninstance = \"{INSTANCE}\"\ntoken = \"t\"\n{} = \"v97.0\"\n",
                option.name
            ))
            .unwrap();
            let from_fleet = InstanceConfig::from_settings(settings, &env(&[])).unwrap();
            assert_eq!(from_fleet.option(option.name), Some("v97.0"));
            checked += 1;
        }
    }
    assert!(checked > 0, "no provider has an option");
}

mod hostile {
    //! Hostile input, generated: whatever the shape of a connection string or a fleet
    //! table, no error quotes the credential in it, and nothing panics.

    use proptest::prelude::*;

    use super::*;

    const SECRET: &str = "Zq9xSECRETx7Wk";

    /// Ways to write a connection string badly, each holding the secret somewhere.
    fn connection_string() -> impl Strategy<Value = String> {
        let provider = prop::sample::select(
            Provider::ALL
                .iter()
                .map(|p| p.name().to_owned())
                .chain(["no-such".to_owned(), "".to_owned(), "x y".to_owned()])
                .collect::<Vec<_>>(),
        );
        let glue =
            prop::sample::select(vec!["://", ":", ":/", "//", "", "+http://", "://:", "://@"]);
        let at = prop::sample::select(vec!["@", "%40", "", "@@", "%2540"]);
        let host = prop::sample::select(vec![
            "host",
            "",
            "h st",
            "host:notaport",
            "[::1]",
            "host#x",
            "%00",
        ]);
        let tail = prop::sample::select(vec![
            "",
            "/1101000001",
            "/",
            "/a/b",
            "?version=x",
            "/%FF%FE",
            "/\r\n",
        ]);
        let secret_at = 0..4usize;
        (provider, glue, at, host, tail, secret_at).prop_map(
            |(provider, glue, at, host, tail, secret_at)| match secret_at {
                0 => format!("{provider}{glue}{SECRET}{at}{host}{tail}"),
                1 => format!("{provider}{glue}1101000001:{SECRET}{at}{host}{tail}"),
                2 => format!("{provider}{glue}{host}/{SECRET}{tail}"),
                _ => format!("{provider}{glue}{SECRET}%FF{at}{host}{tail}"),
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn a_bad_connection_string_never_shows_its_secret(text in connection_string()) {
            if let Err(error) = text.parse::<InstanceConfig>() {
                let shown = format!("{error} {error:?}");
                prop_assert!(!shown.contains(SECRET), "{shown}");
                prop_assert!(shown.chars().count() < 1000, "{shown}");
            }
        }

        #[test]
        fn a_bad_fleet_table_never_shows_its_secret(
            provider in prop::sample::select(Provider::ALL.to_vec()),
            key in prop::sample::select(vec!["token", "instance", "id_instance", "api_token", "name", "base_url", "instance_token"]),
            value in prop::sample::select(vec![
                format!("\"{SECRET}\""),
                "42".to_owned(),
                format!("[\"{SECRET}\"]"),
                "true".to_owned(),
                format!("{{ a = \"{SECRET}\" }}"),
            ]),
            secret_key in prop::sample::select(vec!["token", "api_key", "instance_token", "client_token"]),
        ) {
            let text = format!(
                "provider = \"{provider}\"\ninstance = \"1\"\n{key} = {value}\n{secret_key} = 987654321\n"
            );
            match toml::from_str::<InstanceSettings>(&text) {
                Err(error) => {
                    // What the CLI prints of a TOML error is its message.
                    let shown = error.message();
                    prop_assert!(!shown.contains(SECRET), "{shown}");
                    prop_assert!(!error.message().contains("987654321"), "{}", error.message());
                }
                Ok(settings) => {
                    if let Err(error) = InstanceConfig::from_settings(settings, &|_| None) {
                        let shown = format!("{error} {error:?}");
                        prop_assert!(!shown.contains(SECRET), "{shown}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_label_names_only_an_instance_the_vendor_knows_by_a_credential() {
    for (provider, form) in every_form() {
        let (text, _) = fill(provider, form);
        let with_label = format!("{text}#sales%20line");
        match provider.info().instance.named_by {
            Some(_) => {
                let config: InstanceConfig = with_label.parse().unwrap();
                assert_eq!(config.instance(), "sales line", "{with_label}");
                assert!(
                    config.to_string().ends_with("/base#sales%20line"),
                    "{config}"
                );
                // The default label, the host, is not written.
                let plain: InstanceConfig = text.parse().unwrap();
                assert!(!plain.to_string().contains('#'), "{plain}");
            }
            None => assert_eq!(
                with_label.parse::<InstanceConfig>().unwrap_err().to_string(),
                format!(
                    "{provider}: invalid_config: connection string `{}`: `#LABEL` names an instance only where the provider knows it by a credential: expected {}",
                    redact(&with_label),
                    provider
                        .info()
                        .connection_strings
                        .iter()
                        .map(|f| f.text)
                        .collect::<Vec<_>>()
                        .join(" or ")
                )
            ),
        }
    }
}
