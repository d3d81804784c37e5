//! What WeChat keeps of an official account: followers (how and when they followed, their tags), tags, the
//! menu and its conditional menus, templates, sent template messages and QR code tickets.

use crate::kit::state::AppData;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// WeChat's own tags (0, 1, 2: 星标组 is 2) cannot be changed; the account's start at 100.
pub const FIRST_TAG_ID: i64 = 100;
/// WeChat's limits: 100 tags an account, 20 tags a follower, 25 templates an account.
pub const MAX_TAGS: usize = 100;
pub const MAX_TAGS_PER_USER: usize = 20;
pub const MAX_TEMPLATES: usize = 25;

#[derive(Clone, Debug)]
pub struct Follower {
    pub subscribed: bool,
    pub subscribe_time: i64,
    pub scene: String,
    pub qr_scene: Option<i64>,
    pub qr_scene_str: Option<String>,
    pub tags: Vec<i64>,
    pub remark: String,
}

#[derive(Clone, Debug)]
pub struct Template {
    pub id: String,
    pub title: String,
    pub keys: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Qrcode {
    pub ticket: String,
    pub scene_id: Option<i64>,
    pub scene_str: Option<String>,
    /// None: permanent.
    pub expires_at: Option<i64>,
    pub url: String,
}

impl Qrcode {
    /// The scene as pushes carry it (EventKey): the number or the string.
    pub fn scene(&self) -> String {
        self.scene_str.clone().unwrap_or_else(|| self.scene_id.unwrap_or_default().to_string())
    }
}

#[derive(Default)]
pub struct Official {
    /// Seeded from the account's users on first use: they all follow.
    pub seeded: bool,
    pub followers: BTreeMap<String, Follower>,
    pub tags: Vec<(i64, String)>,
    pub next_tag: i64,
    pub menu: Option<(i64, Value)>,
    /// (menuid, buttons, matchrule), oldest first.
    pub conditional: Vec<(i64, Value, Value)>,
    pub templates: Vec<Template>,
    pub industry: Option<(String, String, i64)>,
    pub sent: Vec<Value>,
    pub qrcodes: Vec<Qrcode>,
}

impl Official {
    pub fn follower(&mut self, openid: &str) -> Option<&mut Follower> {
        self.followers.get_mut(openid).filter(|f| f.subscribed)
    }

    pub fn is_tag(&self, id: i64) -> bool {
        self.tags.iter().any(|(t, _)| *t == id)
    }

    pub fn tag_count(&self, id: i64) -> usize {
        self.followers.values().filter(|f| f.subscribed && f.tags.contains(&id)).count()
    }

    pub fn describe(&self) -> Value {
        let followers: Vec<Value> = self.followers.iter().map(|(openid, f)| json!({"openid": openid, "subscribed": f.subscribed,
            "subscribeScene": f.scene, "qrScene": f.qr_scene, "qrSceneStr": f.qr_scene_str, "tags": f.tags})).collect();
        let tags: Vec<Value> = self.tags.iter().map(|(id, name)| json!({"id": id, "name": name, "count": self.tag_count(*id)})).collect();
        let templates: Vec<Value> = self.templates.iter().map(|t| json!({"templateId": t.id, "title": t.title, "keys": t.keys})).collect();
        let conditional: Vec<Value> = self.conditional.iter().map(|(id, _, rule)| json!({"menuid": id, "matchrule": rule})).collect();
        json!({"followers": followers, "tags": tags, "menu": self.menu.as_ref().map(|(_, m)| m.clone()), "conditionalMenus": conditional,
            "templates": templates, "templateMessagesSent": self.sent.len(), "qrcodes": self.qrcodes.len()})
    }
}

/// The account's records, its users made followers the first time.
pub fn official(app: &mut AppData, now: i64) -> &mut Official {
    let users = app.openids.clone();
    let book = app.record::<Official>();
    if !book.seeded {
        book.seeded = true;
        book.next_tag = FIRST_TAG_ID;
        for openid in users {
            book.followers.entry(openid).or_insert_with(|| Follower {
                subscribed: true, subscribe_time: now, scene: "ADD_SCENE_SEARCH".into(), qr_scene: None, qr_scene_str: None, tags: vec![], remark: String::new(),
            });
        }
    }
    book
}
