//! The pages' words, in English and French. Calm and plain: case workers read difficult reports
//! all day; the pages never show a picture unless asked.

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

impl Lang {
    /// From `?lang=`, else the first of `Accept-Language` that the pages have, else English.
    pub fn choose(query: Option<&str>, accept: Option<&str>) -> Lang {
        let pick = |tag: &str| match tag.trim().get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("fr") => Some(Lang::Fr),
            Some("en") => Some(Lang::En),
            _ => None,
        };
        query
            .and_then(pick)
            .or_else(|| {
                accept.and_then(|a| {
                    a.split(',')
                        .find_map(|t| pick(t.split(';').next().unwrap_or_default()))
                })
            })
            .unwrap_or(Lang::En)
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::En => &EN,
            Lang::Fr => &FR,
        }
    }
}

/// Every string the pages show.
pub struct Text {
    pub title: &'static str,
    pub skip: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub name: &'static str,
    pub password: &'static str,
    pub wrong: &'static str,
    pub slow_down: &'static str,
    pub queue: &'static str,
    pub audit: &'static str,
    pub admin: &'static str,
    pub export: &'static str,
    pub received: &'static str,
    pub situation: &'static str,
    pub minor: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub page: &'static str,
    pub status: &'static str,
    pub evidence: &'static str,
    pub urgency: &'static str,
    pub urgent: [&'static str; 4],
    pub filter: &'static str,
    pub all: &'static str,
    pub empty_queue: &'static str,
    pub case: &'static str,
    pub duplicates: &'static str,
    pub no_duplicates: &'static str,
    pub reasons: [(&'static str, &'static str); 5],
    pub bits: &'static str,
    pub history: &'static str,
    pub change_status: &'static str,
    pub note: &'static str,
    pub hosting_country: &'static str,
    pub site_type: &'static str,
    pub save: &'static str,
    pub no_evidence: &'static str,
    pub verdicts: [(&'static str, &'static str); 3],
    pub pictures: &'static str,
    pub picture_hidden: &'static str,
    pub show_picture: &'static str,
    pub no_pictures_child: &'static str,
    pub address_not_link: &'static str,
    pub statuses: [(&'static str, &'static str); 6],
    pub situations: [(&'static str, &'static str); 5],
    pub users: &'static str,
    pub tokens: &'static str,
    pub role: &'static str,
    pub add: &'static str,
    pub disable: &'static str,
    pub disabled: &'static str,
    pub token_once: &'static str,
    pub when: &'static str,
    pub who: &'static str,
    pub what: &'static str,
    pub not_allowed: &'static str,
    pub form_expired: &'static str,
    pub not_found: &'static str,
    pub helpline: &'static str,
    pub country: &'static str,
    pub page_title: &'static str,
    pub unavailable: &'static str,
}

pub static EN: Text = Text {
    title: "Sentinelle intake",
    skip: "Skip to the content",
    sign_in: "Sign in",
    sign_out: "Sign out",
    name: "Name",
    password: "Password",
    wrong: "That name and password do not match an active account.",
    slow_down: "Too many attempts from this address. Wait a minute, then try again.",
    queue: "Queue",
    audit: "Audit log",
    admin: "Users and tokens",
    export: "Export (CSV)",
    received: "Received (UTC)",
    situation: "Situation",
    minor: "Minor",
    yes: "yes",
    no: "no",
    page: "Reported address",
    status: "Status",
    evidence: "Evidence file",
    urgency: "Urgency",
    urgent: [
        "child abuse",
        "minor or known picture",
        "sextortion",
        "other",
    ],
    filter: "Show",
    all: "all",
    empty_queue: "No case here.",
    case: "Case",
    duplicates: "Same content elsewhere",
    no_duplicates: "No other report of the same address, file or picture.",
    reasons: [
        ("url", "same address"),
        ("sha256", "same file (SHA-256)"),
        ("md5", "same file (MD5)"),
        ("pdq", "similar picture (PDQ)"),
        ("hashlist", "picture on a hash list"),
    ],
    bits: "bits apart",
    history: "History",
    change_status: "Change the status",
    note: "Note",
    hosting_country: "Hosting country (two letters)",
    site_type: "Site type",
    save: "Save",
    no_evidence: "No evidence file received.",
    verdicts: [
        ("valid", "received, and nothing in it has changed"),
        ("invalid", "received, but it does not check out"),
        (
            "refused",
            "refused: it held pictures a child-abuse report may not hold; not kept",
        ),
    ],
    pictures: "Pictures in the evidence file",
    picture_hidden: "Picture hidden.",
    show_picture: "Show this picture",
    no_pictures_child:
        "Child sexual abuse reports never hold pictures here: addresses and hashes only.",
    address_not_link: "Addresses are shown as text, not links, so nothing opens by accident.",
    statuses: [
        ("new", "new"),
        ("in-review", "in review"),
        ("sent-to-platform", "sent to the platform"),
        ("sent-to-police", "sent to the police"),
        ("removed", "removed"),
        ("closed", "closed"),
    ],
    situations: [
        ("own-image", "their own image"),
        ("sextortion", "sextortion"),
        ("child-abuse", "child sexual abuse"),
        ("deepfake-other", "deepfake of someone else"),
        ("harassment", "harassment"),
    ],
    users: "Users",
    tokens: "API tokens",
    role: "Role",
    add: "Add",
    disable: "Disable",
    disabled: "disabled",
    token_once: "The new token, shown once. Copy it now:",
    when: "When (UTC)",
    who: "Who",
    what: "What",
    not_allowed: "Your role does not allow this page.",
    form_expired: "This form has expired. Go back, reload the page and try again.",
    not_found: "There is nothing here.",
    helpline: "Helpline",
    country: "Reporter's country",
    page_title: "Page title",
    unavailable: "The intake could not do this now; try again.",
};

pub static FR: Text = Text {
    title: "Réception Sentinelle",
    skip: "Aller au contenu",
    sign_in: "Se connecter",
    sign_out: "Se déconnecter",
    name: "Nom",
    password: "Mot de passe",
    wrong: "Ce nom et ce mot de passe ne correspondent à aucun compte actif.",
    slow_down: "Trop de tentatives depuis cette adresse. Attendez une minute, puis réessayez.",
    queue: "File d’attente",
    audit: "Journal d’audit",
    admin: "Utilisateurs et jetons",
    export: "Export (CSV)",
    received: "Reçu (UTC)",
    situation: "Situation",
    minor: "Mineur",
    yes: "oui",
    no: "non",
    page: "Adresse signalée",
    status: "Statut",
    evidence: "Fichier de preuves",
    urgency: "Urgence",
    urgent: ["abus sur enfant", "mineur ou image connue", "sextorsion", "autre"],
    filter: "Afficher",
    all: "tous",
    empty_queue: "Aucun dossier ici.",
    case: "Dossier",
    duplicates: "Même contenu ailleurs",
    no_duplicates: "Aucun autre signalement de la même adresse, du même fichier ou de la même image.",
    reasons: [
        ("url", "même adresse"),
        ("sha256", "même fichier (SHA-256)"),
        ("md5", "même fichier (MD5)"),
        ("pdq", "image semblable (PDQ)"),
        ("hashlist", "image sur une liste d’empreintes"),
    ],
    bits: "bits d’écart",
    history: "Historique",
    change_status: "Changer le statut",
    note: "Note",
    hosting_country: "Pays d’hébergement (deux lettres)",
    site_type: "Type de site",
    save: "Enregistrer",
    no_evidence: "Aucun fichier de preuves reçu.",
    verdicts: [
        ("valid", "reçu, et rien n’y a été modifié"),
        ("invalid", "reçu, mais la vérification échoue"),
        ("refused", "refusé : il contenait des images qu’un signalement d’abus sur enfant ne peut contenir ; non conservé"),
    ],
    pictures: "Images du fichier de preuves",
    picture_hidden: "Image masquée.",
    show_picture: "Afficher cette image",
    no_pictures_child: "Les signalements d’abus sexuels sur enfant ne contiennent jamais d’image ici : adresses et empreintes seulement.",
    address_not_link: "Les adresses sont du texte, pas des liens : rien ne s’ouvre par accident.",
    statuses: [
        ("new", "nouveau"),
        ("in-review", "en cours d’examen"),
        ("sent-to-platform", "transmis à la plateforme"),
        ("sent-to-police", "transmis à la police"),
        ("removed", "retiré"),
        ("closed", "clos"),
    ],
    situations: [
        ("own-image", "sa propre image"),
        ("sextortion", "sextorsion"),
        ("child-abuse", "abus sexuel sur enfant"),
        ("deepfake-other", "hypertrucage d’une autre personne"),
        ("harassment", "harcèlement"),
    ],
    users: "Utilisateurs",
    tokens: "Jetons d’API",
    role: "Rôle",
    add: "Ajouter",
    disable: "Désactiver",
    disabled: "désactivé",
    token_once: "Le nouveau jeton, affiché une seule fois. Copiez-le maintenant :",
    when: "Quand (UTC)",
    who: "Qui",
    what: "Quoi",
    not_allowed: "Votre rôle ne permet pas d’ouvrir cette page.",
    form_expired: "Ce formulaire a expiré. Revenez en arrière, rechargez la page et réessayez.",
    not_found: "Il n’y a rien ici.",
    helpline: "Service",
    country: "Pays de la personne",
    page_title: "Titre de la page",
    unavailable: "La réception n’a pas pu le faire pour l’instant ; réessayez.",
};

/// The label for `key` in a table of pairs, or the key itself.
pub fn label<'a>(pairs: &'a [(&'static str, &'static str)], key: &'a str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_comes_from_the_query_then_the_browser() {
        assert_eq!(Lang::choose(Some("fr"), Some("en")), Lang::Fr);
        assert_eq!(
            Lang::choose(None, Some("fr-BE,fr;q=0.9,en;q=0.5")),
            Lang::Fr
        );
        assert_eq!(Lang::choose(None, Some("de-DE, en;q=0.5")), Lang::En);
        assert_eq!(Lang::choose(Some("xx"), None), Lang::En);
        assert_eq!(label(&EN.statuses, "sent-to-police"), "sent to the police");
        assert_eq!(label(&FR.statuses, "unknown"), "unknown");
    }
}
