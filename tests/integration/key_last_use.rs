//! A key's last use is recorded to the minute: the first login records it, and the hundreds of
//! logins of a round of checks within that minute do not write it again.

use crate::common::sqlite;
use keyhaven::server::entities::ssh_key;
use keyhaven::server::secrets::MasterKey;
use keyhaven::server::services::audit::Actor;
use keyhaven::server::services::keys::{self, NewKey};
use keyhaven::server::ssh::keys::KeySpec;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

async fn reread(db: &sea_orm::DatabaseConnection, id: i32) -> ssh_key::Model {
    ssh_key::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

#[tokio::test]
async fn the_last_use_is_written_once_a_minute_at_most() {
    let db = sqlite().await;
    let master = MasterKey::generate().unwrap().0;
    let changes = crate::common::file_writer(&db.conn);
    let key = keys::generate(&db.conn, &changes, &master, &Actor::cli(), NewKey::new("k", "", false), KeySpec::Ed25519)
        .await
        .unwrap();
    assert_eq!(key.last_used_at, None);

    keys::touch_key(&db.conn, &key).await;
    let first = reread(&db.conn, key.id).await.last_used_at.expect("the first use is recorded");
    keys::touch_key(&db.conn, &reread(&db.conn, key.id).await).await;
    assert_eq!(reread(&db.conn, key.id).await.last_used_at, Some(first), "a use within the minute writes nothing");

    // A use more than a minute after the recorded one is written.
    let old = first - chrono::Duration::seconds(61);
    let mut model: ssh_key::ActiveModel = reread(&db.conn, key.id).await.into();
    model.last_used_at = Set(Some(old));
    model.update(&db.conn).await.unwrap();
    keys::touch_key(&db.conn, &reread(&db.conn, key.id).await).await;
    let later = reread(&db.conn, key.id).await.last_used_at.unwrap();
    assert!(later >= first, "a use after the minute is recorded: {later} (was {old})");
}
