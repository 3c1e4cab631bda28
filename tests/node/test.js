// sqlite-tpe from Node.js through better-sqlite3, which bundles its own
// SQLite: the extension loads, suggests, takes results and refuses bad
// writes with its own message.
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const Database = require('better-sqlite3');

const EXT = path.join(__dirname, '..', '..', 'tpe');

function open() {
  const db = new Database(':memory:');
  db.loadExtension(EXT);
  db.exec(`CREATE VIRTUAL TABLE exp USING tpe(
             x uniform(-5, 5), opt choice('adam', 'sgd'),
             m uniform(0, 1) WHEN opt = 'sgd', seed = 4)`);
  return db;
}

function run(db, n) {
  const ask = db.prepare("SELECT tpe_suggest('exp') AS s");
  const tell = db.prepare('UPDATE exp SET loss = ? WHERE trial = ?');
  const out = [];
  for (let i = 0; i < n; i++) {
    const p = JSON.parse(ask.get().s);
    tell.run((p.x - 1) ** 2 + (p.opt === 'sgd' ? p.m : 0.5), p.trial);
    out.push(p);
  }
  return out;
}

test('ask and tell', () => {
  const db = open();
  const points = run(db, 40);
  points.forEach((p, i) => {
    assert.strictEqual(p.trial, i + 1);
    assert.strictEqual('m' in p, p.opt === 'sgd');
  });
  const best = JSON.parse(db.prepare("SELECT tpe_best('exp') AS b").get().b);
  const low = db.prepare("SELECT trial, loss FROM exp WHERE status = 'ok' " +
                         'ORDER BY loss LIMIT 1').get();
  assert.deepStrictEqual([best.trial, best.loss], [low.trial, low.loss]);
});

test('same seed, same suggestions as another connection', () => {
  assert.deepStrictEqual(run(open(), 30), run(open(), 30));
});

test('a bad write is refused with its message', () => {
  const db = open();
  assert.throws(() => db.prepare('INSERT INTO exp(x, opt) VALUES (9, ?)')
                        .run('adam'),
                { message: 'exp: column x: 9 is out of range for ' +
                           'uniform(-5, 5)' });
  assert.strictEqual(db.prepare('SELECT count(*) AS n FROM exp').get().n, 0);
});
