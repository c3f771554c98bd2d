use std::collections::HashMap;

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

#[test]
fn every_connection_string_form_parses() {
    let config: InstanceConfig = "megaapi://tok%2Fen@api2.megaapi.com.br/megastart-AB12"
        .parse()
        .unwrap();
    let InstanceConfig::MegaApi(c) = &config else {
        panic!("{config:?}")
    };
    assert_eq!(
        (c.base_url(), c.instance_key(), c.token.expose()),
        ("https://api2.megaapi.com.br", "megastart-AB12", "tok/en")
    );

    let config: InstanceConfig = "vzaps://jwt@api.vzaps.com/VZ1".parse().unwrap();
    let InstanceConfig::Vzaps(c) = &config else {
        panic!("{config:?}")
    };
    assert_eq!(
        (c.base_url(), c.instance_id()),
        ("https://api.vzaps.com", "VZ1")
    );
    assert!(matches!(&c.auth, VzapsAuth::Bearer(t) if t.expose() == "jwt"));

    let config: InstanceConfig = "vzaps+http://inst:cli%40ent@127.0.0.1:8080/vzaps/VZ2"
        .parse()
        .unwrap();
    let InstanceConfig::Vzaps(c) = &config else {
        panic!("{config:?}")
    };
    assert_eq!(
        (c.base_url(), c.instance_id()),
        ("http://127.0.0.1:8080/vzaps", "VZ2")
    );
    assert!(
        matches!(&c.auth, VzapsAuth::TokenPair { instance_token, client_token }
        if instance_token.expose() == "inst" && client_token.expose() == "cli@ent")
    );

    let config: InstanceConfig =
        "hypersender://234%7Cabc@app.hypersender.com/api/whatsapp/v1/fa3d01c4"
            .parse()
            .unwrap();
    let InstanceConfig::Hypersender(c) = &config else {
        panic!("{config:?}")
    };
    assert_eq!(
        (c.base_url(), c.instance(), c.token.expose()),
        (
            "https://app.hypersender.com/api/whatsapp/v1",
            "fa3d01c4",
            "234|abc"
        )
    );

    let config: InstanceConfig = "green-api+http://1101000001:tok@127.0.0.1:9/green-api"
        .parse()
        .unwrap();
    let InstanceConfig::GreenApi(c) = &config else {
        panic!("{config:?}")
    };
    assert_eq!(
        (c.api_url(), c.id_instance(), c.api_token.expose()),
        ("http://127.0.0.1:9/green-api", 1101000001, "tok")
    );
    assert_eq!(config.instance(), "1101000001");
}

#[test]
fn display_and_debug_show_no_secret() {
    let cases = [
        (
            "megaapi://s3cr3t@api2.megaapi.com.br/k",
            "megaapi://***@api2.megaapi.com.br/k",
        ),
        (
            "vzaps://s3cr3t:0th3r@api.vzaps.com/VZ1",
            "vzaps://***@api.vzaps.com/VZ1",
        ),
        (
            "hypersender+http://s3cr3t@127.0.0.1:1/api/whatsapp/v1/u",
            "hypersender+http://***@127.0.0.1:1/api/whatsapp/v1/u",
        ),
        (
            "green-api://1101:s3cr3t@1101.api.green-api.com",
            "green-api://***@1101.api.green-api.com (idInstance 1101)",
        ),
    ];
    for (text, shown) in cases {
        let config: InstanceConfig = text.parse().unwrap();
        assert_eq!(config.to_string(), shown);
        let debug = format!("{config:?} {config:#?}");
        assert!(
            !debug.contains("s3cr3t") && !debug.contains("0th3r"),
            "{debug}"
        );
    }
}

#[test]
fn bad_connection_strings_say_which_part_is_wrong() {
    let message = |s: &str| s.parse::<InstanceConfig>().unwrap_err().to_string();
    assert_eq!(
        message("hypersender://s3cr3t@app.hypersender.com"),
        "hypersender: invalid configuration: connection string `hypersender://***@app.hypersender.com`: the instance is missing after the host: expected hypersender://TOKEN@HOST[/BASE]/INSTANCE"
    );
    assert_eq!(
        message("green-api://s3cr3t@host"),
        "green-api: invalid configuration: connection string `green-api://***@host`: the credentials must be ID_INSTANCE:API_TOKEN: expected green-api://ID_INSTANCE:API_TOKEN@HOST[/BASE]"
    );
    assert_eq!(
        message("green-api://12345678901:s3cr3t@host"),
        "green-api: invalid configuration: idInstance `12345678901` is not a number of up to 10 digits"
    );
    assert_eq!(
        message("megaapi://s3cr3t@host:notaport/k"),
        "megaapi: invalid configuration: invalid base URL: invalid port number"
    );
}

#[test]
fn builders_require_what_has_no_default() {
    let error = MegaApiConfig::builder()
        .with_token("t")
        .with_instance_key("k")
        .build()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "megaapi: invalid configuration: the base URL is missing"
    );
    let hypersender = HypersenderConfig::builder()
        .with_token("t")
        .with_instance("u")
        .build()
        .unwrap();
    assert_eq!(hypersender.base_url(), HYPERSENDER_BASE_URL);
    let vzaps = VzapsConfig::builder()
        .with_token("t")
        .with_instance_id("VZ")
        .build()
        .unwrap();
    assert_eq!(vzaps.base_url(), VZAPS_BASE_URL);
    let both = VzapsConfig::builder()
        .with_token("t")
        .with_token_pair("i", "c")
        .with_instance_id("VZ")
        .build()
        .unwrap_err();
    assert_eq!(
        both.to_string(),
        "vzaps: invalid configuration: give either a token or an instance token and a client token, not both"
    );
}

#[test]
fn from_env_reads_the_documented_variables() {
    let config = GreenApiConfig::from_lookup(&env(&[
        ("WA_GREEN_API_URL", "https://1101.api.green-api.com/"),
        ("WA_GREEN_API_ID_INSTANCE", "1101000001"),
        ("WA_GREEN_API_TOKEN", "s3cr3t"),
    ]))
    .unwrap();
    assert_eq!(
        (config.api_url(), config.id_instance()),
        ("https://1101.api.green-api.com", 1101000001)
    );

    let config = VzapsConfig::from_lookup(&env(&[
        ("WA_VZAPS_INSTANCE_TOKEN", "i"),
        ("WA_VZAPS_CLIENT_TOKEN", "c"),
        ("WA_VZAPS_INSTANCE_ID", "VZ1"),
    ]))
    .unwrap();
    assert_eq!(config.to_string(), "vzaps://***@api.vzaps.com/VZ1");

    let config = HypersenderConfig::from_lookup(&env(&[
        ("WA_HYPERSENDER_TOKEN", "t"),
        ("WA_HYPERSENDER_INSTANCE", "u"),
    ]))
    .unwrap();
    assert_eq!(
        config.to_string(),
        "hypersender://***@app.hypersender.com/api/whatsapp/v1/u"
    );

    let missing = MegaApiConfig::from_lookup(&env(&[(
        "WA_MEGAAPI_BASE_URL",
        "https://api2.megaapi.com.br",
    )]))
    .unwrap_err();
    assert_eq!(
        missing.to_string(),
        "megaapi: invalid configuration: the token is missing"
    );
}

#[test]
fn the_serde_form_reads_a_toml_fleet_with_env_credentials() {
    #[derive(Deserialize)]
    struct Fleet {
        instance: Vec<InstanceSettings>,
    }
    let fleet: Fleet = toml::from_str(
        r#"
        [[instance]]
        name = "front"
        provider = "hypersender"
        instance = "fa3d01c4"
        token_env = "HS_TOKEN"

        [[instance]]
        provider = "green-api"
        api_url = "https://1101.api.green-api.com"
        id_instance = 1101000001
        api_token = "s3cr3t"

        [[instance]]
        provider = "vzaps"
        instance = "VZ1"
        instance_token = "i"
        client_token_env = "VZ_CLIENT"
        "#,
    )
    .unwrap();
    let lookup = env(&[("HS_TOKEN", "234|abc"), ("VZ_CLIENT", "c")]);
    let configs: Vec<InstanceConfig> = fleet
        .instance
        .into_iter()
        .map(|s| InstanceConfig::from_settings(s, &lookup).unwrap())
        .collect();
    assert_eq!(configs[0].secrets(), ["234|abc"]);
    assert_eq!(
        configs[1].to_string(),
        "green-api://***@1101.api.green-api.com (idInstance 1101000001)"
    );
    assert_eq!(configs[2].secrets(), ["i", "c"]);

    let missing: InstanceSettings =
        toml::from_str("provider = \"megaapi\"\nbase_url = \"https://a.b\"\ninstance = \"k\"\ntoken_env = \"NOPE\"\n")
            .unwrap();
    assert_eq!(
        InstanceConfig::from_settings(missing, &lookup).unwrap_err().to_string(),
        "megaapi: invalid configuration: the environment variable `NOPE` (from `token_env`) is not set"
    );
    let unknown = toml::from_str::<InstanceSettings>(
        "provider = \"megaapi\"\ninstance = \"k\"\npassword = \"x\"\n",
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(unknown.contains("unknown field `password`"), "{unknown}");
}
