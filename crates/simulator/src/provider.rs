use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The providers the simulator speaks, by their wire names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Provider {
    #[serde(rename = "megaapi")]
    MegaApi,
    #[serde(rename = "vzaps")]
    Vzaps,
    #[serde(rename = "hypersender")]
    Hypersender,
    #[serde(rename = "green-api")]
    GreenApi,
}

impl Provider {
    /// Every provider, in a fixed order.
    pub const ALL: [Provider; 4] = [
        Provider::MegaApi,
        Provider::Vzaps,
        Provider::Hypersender,
        Provider::GreenApi,
    ];

    /// The wire name: `megaapi`, `vzaps`, `hypersender` or `green-api`.
    pub fn name(self) -> &'static str {
        match self {
            Provider::MegaApi => "megaapi",
            Provider::Vzaps => "vzaps",
            Provider::Hypersender => "hypersender",
            Provider::GreenApi => "green-api",
        }
    }

    /// The path under which the simulator serves this provider: what follows the host in
    /// the base URL a client is configured with. Hypersender's includes the vendor's own
    /// `/api/whatsapp/v1`, as its real base URL does.
    pub fn base_path(self) -> &'static str {
        match self {
            Provider::MegaApi => "/megaapi",
            Provider::Vzaps => "/vzaps",
            Provider::Hypersender => "/hypersender/api/whatsapp/v1",
            Provider::GreenApi => "/green-api",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Provider {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                format!("unknown provider `{s}`: expected megaapi, vzaps, hypersender or green-api")
            })
    }
}
