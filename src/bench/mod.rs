//! `ohisama generate`: a deterministic synthetic site for benchmarks.
//!
//! Writes a valid ohisama site (`data/`, `content/`, `themes/` copied from a
//! source site) of any size: N markdown pages of realistic Japanese home-care
//! text (~1.5 KB each), N facilities, N municipalities with their contact
//! windows. With `hugo`, the same documents (pages, one page per municipality
//! and per facility) are also written as a Hugo content tree with a minimal
//! layout, so that Hugo (and Pagefind over Hugo's output) handle the same
//! amount of text.
//!
//! Everything comes from a seeded PRNG (SplitMix64): the same options give
//! the same bytes. Each item (page, municipality, facility) draws from its
//! own stream derived from the seed and its index, so item `i` is the same
//! whatever the other counts are (as far as it does not name other items).
//!
//! Up to the number of municipalities of the source site (33 for the sample
//! site of Kanagawa), the real municipalities and regions are used; beyond
//! that, fictional ones are made from kanji syllables with consistent kana
//! and romaji, grouped by prefecture (one region per prefecture), with valid
//! 6-digit codes (prefecture code, number, check digit).

use crate::load::parse_yaml;
use crate::model::{Municipality, Region, S, Term};
use anyhow::{Context as _, bail};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A file in an output folder that marks it as made by `generate` (so it may be replaced).
const MARKER: &str = ".ohisama-generated";

/// Edition date of the generated site; every `updated` date is within a year of it.
const EDITION: &str = "2025-04-01";

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Site whose `themes/` and vocabularies (`fields`, `care`,
    /// `facility_types`, and the real municipalities and regions) are used.
    pub source: PathBuf,
    /// Output site folder.
    pub out: PathBuf,
    /// Output folder of the Hugo version, if wanted.
    pub hugo: Option<PathBuf>,
    /// Markdown pages, the home page and section index pages included.
    pub pages: usize,
    pub facilities: usize,
    pub municipalities: usize,
    pub windows_per_municipality: usize,
    pub seed: u64,
}

impl GenerateOptions {
    pub fn new(source: impl AsRef<Path>, out: impl AsRef<Path>) -> GenerateOptions {
        GenerateOptions {
            source: source.as_ref().to_path_buf(),
            out: out.as_ref().to_path_buf(),
            hugo: None,
            pages: 100,
            facilities: 100,
            municipalities: 33,
            windows_per_municipality: 10,
            seed: 2025,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct GenerateReport {
    pub pages: usize,
    pub facilities: usize,
    pub municipalities: usize,
    pub regions: usize,
    pub windows: usize,
    /// Bytes of markdown bodies (content/).
    pub body_bytes: usize,
    pub files: usize,
}

// ------------------------------------------------------------------ PRNG

/// SplitMix64: tiny, fast, and good enough for text.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An independent stream for item `index` of `kind`.
    fn derive(seed: u64, kind: &str, index: u64) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in kind.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let mut r = Rng::new(seed ^ h ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        r.next_u64();
        r
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    fn range(&mut self, lo: usize, hi_inclusive: usize) -> usize {
        lo + self.below(hi_inclusive - lo + 1)
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

// ------------------------------------------------------------------ vocabulary

/// (kanji, kana, romaji) of the first part of a fictional place name.
const HEADS: &[(&str, &str, &str)] = &[
    ("北", "きた", "kita"),
    ("南", "みなみ", "minami"),
    ("東", "ひがし", "higashi"),
    ("西", "にし", "nishi"),
    ("中", "なか", "naka"),
    ("上", "かみ", "kami"),
    ("下", "しも", "shimo"),
    ("大", "おお", "oo"),
    ("小", "こ", "ko"),
    ("高", "たか", "taka"),
    ("青", "あお", "ao"),
    ("白", "しら", "shira"),
    ("黒", "くろ", "kuro"),
    ("赤", "あか", "aka"),
    ("金", "かな", "kana"),
    ("若", "わか", "waka"),
    ("富", "とみ", "tomi"),
    ("松", "まつ", "matsu"),
    ("杉", "すぎ", "sugi"),
    ("桜", "さくら", "sakura"),
    ("梅", "うめ", "ume"),
    ("竹", "たけ", "take"),
    ("花", "はな", "hana"),
    ("鶴", "つる", "tsuru"),
    ("亀", "かめ", "kame"),
    ("鹿", "しか", "shika"),
    ("熊", "くま", "kuma"),
    ("稲", "いな", "ina"),
    ("千", "ち", "chi"),
    ("岩", "いわ", "iwa"),
    ("石", "いし", "ishi"),
    ("水", "みず", "mizu"),
    ("月", "つき", "tsuki"),
    ("日", "ひ", "hi"),
    ("宮", "みや", "miya"),
    ("森", "もり", "mori"),
    ("山", "やま", "yama"),
    ("川", "かわ", "kawa"),
    ("朝", "あさ", "asa"),
    ("星", "ほし", "hoshi"),
];

/// (kanji, kana, romaji) of the last part of a fictional place name.
const TAILS: &[(&str, &str, &str)] = &[
    ("山", "やま", "yama"),
    ("川", "かわ", "kawa"),
    ("田", "た", "ta"),
    ("野", "の", "no"),
    ("原", "はら", "hara"),
    ("浜", "はま", "hama"),
    ("島", "しま", "shima"),
    ("岡", "おか", "oka"),
    ("沢", "さわ", "sawa"),
    ("谷", "たに", "tani"),
    ("崎", "さき", "saki"),
    ("井", "い", "i"),
    ("浦", "うら", "ura"),
    ("津", "つ", "tsu"),
    ("瀬", "せ", "se"),
    ("根", "ね", "ne"),
    ("見", "み", "mi"),
    ("江", "え", "e"),
    ("戸", "と", "to"),
    ("城", "しろ", "shiro"),
    ("林", "ばやし", "bayashi"),
    ("里", "さと", "sato"),
    ("橋", "はし", "hashi"),
    ("平", "だいら", "daira"),
];

/// (code, name, romaji) of the prefectures, for fictional municipalities.
const PREFECTURES: &[(u32, &str, &str)] = &[
    (1, "北海道", "hokkaido"),
    (2, "青森県", "aomori"),
    (3, "岩手県", "iwate"),
    (4, "宮城県", "miyagi"),
    (5, "秋田県", "akita"),
    (6, "山形県", "yamagata"),
    (7, "福島県", "fukushima"),
    (8, "茨城県", "ibaraki"),
    (9, "栃木県", "tochigi"),
    (10, "群馬県", "gunma"),
    (11, "埼玉県", "saitama"),
    (12, "千葉県", "chiba"),
    (13, "東京都", "tokyo"),
    (14, "神奈川県", "kanagawa"),
    (15, "新潟県", "niigata"),
    (16, "富山県", "toyama"),
    (17, "石川県", "ishikawa"),
    (18, "福井県", "fukui"),
    (19, "山梨県", "yamanashi"),
    (20, "長野県", "nagano"),
    (21, "岐阜県", "gifu"),
    (22, "静岡県", "shizuoka"),
    (23, "愛知県", "aichi"),
    (24, "三重県", "mie"),
    (25, "滋賀県", "shiga"),
    (26, "京都府", "kyoto"),
    (27, "大阪府", "osaka"),
    (28, "兵庫県", "hyogo"),
    (29, "奈良県", "nara"),
    (30, "和歌山県", "wakayama"),
    (31, "鳥取県", "tottori"),
    (32, "島根県", "shimane"),
    (33, "岡山県", "okayama"),
    (34, "広島県", "hiroshima"),
    (35, "山口県", "yamaguchi"),
    (36, "徳島県", "tokushima"),
    (37, "香川県", "kagawa"),
    (38, "愛媛県", "ehime"),
    (39, "高知県", "kochi"),
    (40, "福岡県", "fukuoka"),
    (41, "佐賀県", "saga"),
    (42, "長崎県", "nagasaki"),
    (43, "熊本県", "kumamoto"),
    (44, "大分県", "oita"),
    (45, "宮崎県", "miyazaki"),
    (46, "鹿児島県", "kagoshima"),
    (47, "沖縄県", "okinawa"),
];

const CARE: &[&str] = &[
    "人工呼吸器",
    "気管切開",
    "たんの吸引",
    "経管栄養",
    "胃ろう",
    "在宅酸素療法",
    "導尿",
    "中心静脈栄養",
    "人工肛門",
    "腹膜透析",
    "ネーザルハイフロー",
    "血糖測定",
    "インスリン注射",
    "ネブライザー",
    "経鼻胃管",
];

const SERVICES: &[&str] = &[
    "訪問看護",
    "訪問診療",
    "短期入所",
    "居宅介護",
    "日中一時支援",
    "児童発達支援",
    "放課後等デイサービス",
    "訪問リハビリテーション",
    "移動支援",
    "訪問入浴",
    "レスパイト入院",
    "計画相談支援",
    "居宅訪問型児童発達支援",
    "訪問歯科",
];

const SUPPORTS: &[&str] = &[
    "医療費助成",
    "特別児童扶養手当",
    "障害児福祉手当",
    "日常生活用具の給付",
    "補装具の給付",
    "小児慢性特定疾病の医療費助成",
    "重度障害者医療費助成",
    "自立支援医療(育成医療)",
    "紙おむつの給付",
];

const PEOPLE: &[&str] = &[
    "主治医",
    "訪問看護師",
    "保健師",
    "相談支援専門員",
    "医療的ケア児等コーディネーター",
    "学校の看護師",
    "ケースワーカー",
    "薬剤師",
    "理学療法士",
    "病棟の看護師",
    "地域連携室の担当者",
];

const PLACES: &[&str] = &[
    "保健福祉センター",
    "障害福祉課",
    "教育委員会",
    "基幹相談支援センター",
    "かかりつけの病院",
    "訪問看護ステーション",
    "子育て支援課",
    "保健所",
    "療育センター",
];

const THINGS: &[&str] = &[
    "受給者証",
    "障害者手帳",
    "医師の意見書",
    "診断書",
    "申請書",
    "マイナンバーカード",
    "母子健康手帳",
    "健康保険証",
    "療育手帳",
];

const ITEMS: &[&str] = &[
    "吸引器",
    "パルスオキシメーター",
    "非常用電源",
    "蓄電池",
    "酸素ボンベ",
    "栄養ポンプ",
    "加湿器",
    "予備のカニューレ",
    "アンビューバッグ",
    "発電機",
];

const TIMES: &[&str] = &[
    "夜間",
    "休日",
    "平日の日中",
    "退院前",
    "就学前",
    "災害時",
    "停電時",
    "入院中",
    "長期休暇中",
];

const FAMILY: &[&str] = &[
    "ご家族",
    "保護者の方",
    "きょうだい",
    "祖父母",
    "お母さん",
    "お父さん",
];

/// Topics: (Japanese, romaji for the file name).
const TOPICS: &[(&str, &str)] = &[
    ("訪問看護", "homon-kango"),
    ("人工呼吸器", "jinko-kokyuki"),
    ("気管切開", "kikan-sekkai"),
    ("短期入所", "tanki-nyusho"),
    ("医療費助成", "iryohi-josei"),
    ("経管栄養", "keikan-eiyo"),
    ("たんの吸引", "kyuin"),
    ("在宅酸素療法", "sanso-ryoho"),
    ("胃ろう", "irou"),
    ("導尿", "donyo"),
    ("レスパイト", "respite"),
    ("就学相談", "shugaku-sodan"),
    ("保育所の利用", "hoikusho"),
    ("災害への備え", "saigai"),
    ("停電対策", "teiden"),
    ("訪問診療", "homon-shinryo"),
    ("訪問リハビリ", "homon-rehab"),
    ("日常生活用具", "nichijo-yogu"),
    ("補装具", "hosogu"),
    ("障害者手帳", "techo"),
    ("特別児童扶養手当", "teate"),
    ("小児慢性特定疾病", "shoman"),
    ("相談支援", "sodan-shien"),
    ("きょうだい支援", "kyodai"),
    ("移動支援", "ido-shien"),
    ("救急搬送", "kyukyu"),
    ("通院の工夫", "tsuin"),
    ("入浴の工夫", "nyuyoku"),
    ("外出の準備", "gaishutsu"),
    ("退院支援", "taiin-shien"),
];

const SENTENCES: &[&str] = &[
    "{care}が必要なお子さんでも、{service}を利用できる場合があります。",
    "{service}の利用には、{muni}の窓口での申請と{thing}が必要です。",
    "{time}に困ったときは、まず{person}に相談してください。",
    "{support}の申請先は、お住まいの市町村によって異なります。",
    "{muni}では、{place}が{support}の相談を受け付けています。",
    "{item}は、{time}に備えて予備を用意しておくと安心です。",
    "{person}と{person2}が連携して、{family}の負担を減らす工夫をしています。",
    "{care}のケアは、退院前に病院で練習してから始めます。",
    "{service}は、{family}が休息をとるためにも使えます。",
    "{thing}の更新を忘れないように、有効期限を確認しておきましょう。",
    "{place}に行く前に、電話で予約しておくと待ち時間が短くなります。",
    "{care}を行うお子さんが通う学校には、看護師が配置されることがあります。",
    "{time}の連絡先を{item}のそばに貼っておくと、{family}みんなが確認できます。",
    "{support}は、所得によって対象にならない場合があります。",
    "{service}の事業所は、施設検索で{care}に対応しているかを絞り込んで探せます。",
    "{person}は、{family}の気持ちに寄り添いながら{service}の計画を一緒に考えます。",
    "{care}に必要な物品には、医療機関から支給されるものと自分で用意するものがあります。",
    "{time}は{item}の電池残量をこまめに確認しましょう。",
    "{family}が体調を崩したときに備えて、{service}の事業所にあらかじめ登録しておくと安心です。",
    "はじめて{service}を使うときは、{person}が事業所との調整を手伝います。",
    "{muni}の{support}は、申請した月から対象になります。",
    "{care}をしているお子さんの{time}の受け入れ先は、事前に{person}と話し合っておきましょう。",
    "{place}では、{family}同士が交流できる会を定期的に開いています。",
    "{thing}と{thing2}をそろえて、{place}の窓口に提出します。",
    "救急車を呼ぶときは、{care}をしていることと{item}の有無を伝えてください。",
    "{person}からの情報提供書があると、{service}の利用がスムーズです。",
    "{muni}に転入したときは、{support}の手続きをもう一度行う必要があります。",
    "{care}の物品や{item}の置き場所を決めておくと、{time}にも慌てずにすみます。",
    "{service}の回数や時間は、お子さんの状態と{family}の希望をもとに決まります。",
    "{time}の過ごし方について、{person}から具体的な助言を受けられます。",
    "電話での相談は{muni}の{place}でも受け付けていますので、気軽にお問い合わせください。",
    "{support}の対象になるかどうかは、{thing}の内容によって判断されます。",
    "地域の{service}を上手に組み合わせることで、{family}の生活にゆとりが生まれます。",
    "{care}が始まったばかりの頃は、{person}が毎日のように訪問して手技を確認します。",
];

const HEADINGS: &[&str] = &[
    "{topic}とは",
    "申請の流れ",
    "利用できるサービス",
    "{time}の備え",
    "相談先",
    "よくある質問",
    "{muni}の窓口",
    "費用について",
    "準備するもの",
    "体験談から",
    "{care}のお子さんの場合",
    "{person}からのひとこと",
    "注意すること",
    "{service}を使うまで",
];

const LIST_ITEMS: &[&str] = &[
    "{thing}を用意する",
    "{item}の動作を確認する",
    "{person}の連絡先を控えておく",
    "{place}に相談の予約をする",
    "{service}の事業所を見学する",
    "{support}の申請書を受け取る",
    "{care}の手順を書き出しておく",
    "{time}の連絡方法を{family}で話し合う",
];

/// Section of the content: (folder, title, description, weight in the mix).
const SECTIONS: &[(&str, &str, &str, usize)] = &[
    (
        "services",
        "サービス",
        "在宅で使える医療・福祉のサービスと、利用の手続きの案内です。",
        30,
    ),
    (
        "faq",
        "よくある質問",
        "ご家族から寄せられる質問とその答えです。",
        20,
    ),
    (
        "emergency",
        "緊急時対応",
        "急な体調の変化や災害、停電のときの対応です。",
        15,
    ),
    (
        "messages",
        "応援メッセージ",
        "先輩のご家族や支援者からのメッセージです。",
        15,
    ),
    ("news", "お知らせ", "おひさまからのお知らせです。", 15),
    (
        "about",
        "このサイトについて",
        "このサイトの運営と使い方の説明です。",
        5,
    ),
];

/// Contact window templates: (field id, name, detail, url key).
const WINDOWS: &[(&str, &str, &str, &str)] = &[
    (
        "shogai-fukushi",
        "福祉部 障害福祉課",
        "障害福祉(障害福祉サービスの支給決定、短期入所、居宅介護について)",
        "shogai-fukushi",
    ),
    (
        "shogai-fukushi",
        "福祉部 障害福祉課 給付係",
        "障害福祉(日常生活用具・補装具の給付、障害者手帳について)",
        "yogu",
    ),
    (
        "hoken",
        "保健センター 母子保健係",
        "保健(保健師による訪問・相談、乳幼児健診)",
        "boshi-hoken",
    ),
    (
        "hoken",
        "健康づくり課",
        "保健(小児慢性特定疾病の医療費助成の申請について)",
        "shoman",
    ),
    (
        "kyufukin",
        "保険年金課 医療助成係",
        "給付金(小児医療費助成・重度障害者医療費助成について)",
        "iryohi-josei",
    ),
    (
        "kyufukin",
        "子育て支援課 手当係",
        "給付金(特別児童扶養手当・障害児福祉手当について)",
        "teate",
    ),
    (
        "kyoiku",
        "教育委員会 教育指導課",
        "教育(就学相談、特別支援学級、学校での医療的ケアについて)",
        "shugaku",
    ),
    (
        "kyoiku",
        "こども部 保育課",
        "教育(保育所等での医療的ケア児の受け入れについて)",
        "hoiku",
    ),
    (
        "sodan",
        "基幹相談支援センター",
        "相談(計画相談、障害福祉サービスの利用について)",
        "kikan-sodan",
    ),
    (
        "sonota",
        "危機管理課",
        "その他(災害時の避難行動要支援者名簿について)",
        "bosai",
    ),
    (
        "sonota",
        "福祉総務課",
        "その他(停電時の非常用電源の貸し出しについて)",
        "dengen",
    ),
    (
        "sodan",
        "こども家庭センター",
        "相談(子育て全般、きょうだい児への支援について)",
        "kodomo-katei",
    ),
];

/// Facility name prefixes: (kanji or kana, kana).
const FACILITY_PREFIXES: &[(&str, &str)] = &[
    ("ひまわり", "ひまわり"),
    ("あおぞら", "あおぞら"),
    ("さくら", "さくら"),
    ("こすもす", "こすもす"),
    ("星の子", "ほしのこ"),
    ("みどり", "みどり"),
    ("わかば", "わかば"),
    ("たんぽぽ", "たんぽぽ"),
    ("すずらん", "すずらん"),
    ("なのはな", "なのはな"),
    ("つばさ", "つばさ"),
    ("にじいろ", "にじいろ"),
    ("ことり", "ことり"),
    ("もみじ", "もみじ"),
    ("あさひ", "あさひ"),
    ("ひだまり", "ひだまり"),
    ("そよかぜ", "そよかぜ"),
    ("くるみ", "くるみ"),
    ("どんぐり", "どんぐり"),
    ("青葉", "あおば"),
    ("若草", "わかくさ"),
    ("陽だまり", "ひだまり"),
    ("森の", "もりの"),
    ("海の", "うみの"),
];

/// Facility name endings per type id: (label, kana).
fn facility_label(type_id: &str) -> Option<(&'static str, &'static str)> {
    Some(match type_id {
        "hospital" => ("記念病院", "きねんびょういん"),
        "clinic" => ("小児科クリニック", "しょうにかくりにっく"),
        "home-visit-clinic" => ("在宅クリニック", "ざいたくくりにっく"),
        "home-nursing" => ("訪問看護ステーション", "ほうもんかんごすてーしょん"),
        "home-rehab" => ("訪問リハビリセンター", "ほうもんりはびりせんたー"),
        "home-dental" => ("訪問歯科", "ほうもんしか"),
        "pharmacy" => ("薬局", "やっきょく"),
        "child-development-support" => ("児童発達支援ルーム", "じどうはったつしえんるーむ"),
        "child-development-center" => ("療育センター", "りょういくせんたー"),
        "after-school-day" => ("放課後デイサービス", "ほうかごでいさーびす"),
        "home-based-development" => ("居宅訪問支援室", "きょたくほうもんしえんしつ"),
        "residential-medical" => ("療育園", "りょういくえん"),
        "short-stay-medical" => ("短期入所ホーム", "たんきにゅうしょほーむ"),
        "home-help" => ("ヘルパーステーション", "へるぱーすてーしょん"),
        "day-temporary" => ("日中一時支援センター", "にっちゅういちじしえんせんたー"),
        "consultation-support-office" => ("相談支援事業所", "そうだんしえんじぎょうしょ"),
        "nursery" => ("保育園", "ほいくえん"),
        _ => return None,
    })
}

const AGES: &[&str] = &[
    "0歳〜18歳",
    "0歳〜6歳(就学前)",
    "6歳〜18歳",
    "0歳〜20歳",
    "年齢制限なし",
    "3歳〜18歳",
];

const FACILITY_NOTES: &[&str] = &[
    "人工呼吸器のお子さんの受け入れは事前の面談が必要です。",
    "土曜日の午前も対応しています。",
    "送迎があります。ご相談ください。",
    "24時間の電話対応をしています。",
    "退院前の病院でのカンファレンスに参加します。",
    "きょうだい児の同伴ができます。",
    "小児の経験が豊富な看護師が在籍しています。",
    "駐車場があります。",
    "初回は見学をお願いしています。",
    "空き状況はお電話でお問い合わせください。",
];

// ------------------------------------------------------------------ model

struct Muni {
    code: String,
    name: String,
    kana: String,
    slug: String,
    /// Area code of its phone numbers (`045` or `0465`).
    area: String,
}

struct RegionDef {
    id: String,
    name: String,
    medical_area: String,
    members: Vec<usize>,
}

struct Vocab {
    fields: Vec<String>,
    care: Vec<(String, String)>,
    types: Vec<(String, String, String)>,
}

/// Check digit of a 5-digit municipality code, as `validate::municipality_code_ok` checks it.
pub fn check_digit(first5: &str) -> u32 {
    let d: Vec<u32> = first5.bytes().map(|b| (b - b'0') as u32).collect();
    let sum = d[0] * 6 + d[1] * 5 + d[2] * 4 + d[3] * 3 + d[4] * 2;
    (11 - sum % 11) % 10
}

/// A double-quoted YAML string.
fn yq(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn read_list<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<Vec<S<T>>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{} を読めません", path.display()))?;
    parse_yaml::<Vec<S<T>>>(&text)
        .map_err(|p| anyhow::anyhow!("{}:{}:{}: {}", path.display(), p.line, p.column, p.message))
}

fn vocab(source: &Path) -> anyhow::Result<Vocab> {
    let data = source.join("data");
    let fields = read_list::<crate::model::Field>(&data.join("fields.yaml"))?
        .into_iter()
        .map(|f| f.value.id.value)
        .collect();
    let care = read_list::<Term>(&data.join("care.yaml"))?
        .into_iter()
        .map(|t| (t.value.id.value, t.value.name.value))
        .collect();
    let types = read_list::<Term>(&data.join("facility_types.yaml"))?
        .into_iter()
        .map(|t| (t.value.id.value, t.value.name.value, t.value.kana))
        .collect();
    Ok(Vocab {
        fields,
        care,
        types,
    })
}

/// The municipalities and regions: the source site's real ones first, then fictional ones.
fn municipalities(
    source: &Path,
    n: usize,
    seed: u64,
) -> anyhow::Result<(Vec<Muni>, Vec<RegionDef>)> {
    let data = source.join("data");
    let real: Vec<Municipality> = read_list::<Municipality>(&data.join("municipalities.yaml"))?
        .into_iter()
        .map(|m| m.value)
        .collect();
    let real_regions: Vec<Region> = read_list::<Region>(&data.join("regions.yaml"))?
        .into_iter()
        .map(|r| r.value)
        .collect();
    let mut munis: Vec<Muni> = Vec::with_capacity(n);
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut slugs: BTreeSet<String> = BTreeSet::new();
    for (i, m) in real.iter().take(n).enumerate() {
        let mut rng = Rng::derive(seed, "area", i as u64);
        names.insert(m.name.value.clone());
        slugs.insert(m.slug.value.clone());
        munis.push(Muni {
            code: m.code.value.clone(),
            name: m.name.value.clone(),
            kana: m.kana.value.clone(),
            slug: m.slug.value.clone(),
            area: area_code(&mut rng),
        });
    }
    let mut regions: Vec<RegionDef> = Vec::new();
    for r in &real_regions {
        let members: Vec<usize> = r
            .municipalities
            .iter()
            .filter_map(|s| munis.iter().position(|m| m.slug == s.value))
            .collect();
        if !members.is_empty() {
            regions.push(RegionDef {
                id: r.id.value.clone(),
                name: r.name.value.clone(),
                medical_area: r.medical_area.clone(),
                members,
            });
        }
    }
    // Also take in real municipalities that no real region lists.
    let listed: BTreeSet<usize> = regions.iter().flat_map(|r| r.members.clone()).collect();
    let unlisted: Vec<usize> = (0..munis.len()).filter(|i| !listed.contains(i)).collect();
    if !unlisted.is_empty() {
        regions.push(RegionDef {
            id: "others".into(),
            name: "その他".into(),
            medical_area: "その他".into(),
            members: unlisted,
        });
    }
    if n <= munis.len() {
        return Ok((munis, regions));
    }

    // Fictional municipalities, grouped by prefecture (one region each).
    let used_prefs: BTreeSet<String> = munis.iter().map(|m| m.code[..2].to_string()).collect();
    let prefs: Vec<&(u32, &str, &str)> = PREFECTURES
        .iter()
        .filter(|(c, _, _)| !used_prefs.contains(&format!("{c:02}")))
        .collect();
    let fictional = n - munis.len();
    let per_pref = fictional.div_ceil(prefs.len()).max(40);
    if per_pref > 25 + 699 {
        bail!(
            "市町村が多すぎます (最大 {})",
            munis.len() + prefs.len() * 724
        );
    }
    let region_ids: BTreeSet<String> = regions.iter().map(|r| r.id.clone()).collect();
    for j in 0..fictional {
        let (pref_code, pref_name, pref_romaji) = *prefs[j / per_pref];
        let k = j % per_pref;
        if k == 0 {
            let mut id = pref_romaji.to_string();
            if region_ids.contains(&id) {
                id.push_str("-pref");
            }
            regions.push(RegionDef {
                id,
                name: pref_name.to_string(),
                medical_area: format!("{pref_name}全域"),
                members: Vec::new(),
            });
        }
        let mut rng = Rng::derive(seed, "municipality", j as u64);
        // Cities are numbered 201…, towns and villages 301…
        let (number, suffix) = if k < 25 {
            (201 + k, ("市", "し", "shi"))
        } else if rng.chance(80) {
            (301 + k - 25, ("町", "まち", "machi"))
        } else {
            (301 + k - 25, ("村", "むら", "mura"))
        };
        let first5 = format!("{pref_code:02}{number:03}");
        let code = format!("{first5}{}", check_digit(&first5));
        let (name, kana, slug) = loop {
            let parts = if rng.chance(85) { 2 } else { 3 };
            let mut name = String::new();
            let mut kana = String::new();
            let mut romaji = String::new();
            for p in 0..parts {
                let (k, h, r) = if p + 1 == parts {
                    *rng.pick(TAILS)
                } else {
                    *rng.pick(HEADS)
                };
                name.push_str(k);
                kana.push_str(h);
                romaji.push_str(r);
            }
            name.push_str(suffix.0);
            kana.push_str(suffix.1);
            let slug = format!("{romaji}-{}", suffix.2);
            if !names.contains(&name) && !slugs.contains(&slug) {
                break (name, kana, slug);
            }
        };
        names.insert(name.clone());
        slugs.insert(slug.clone());
        let area = area_code(&mut rng);
        regions
            .last_mut()
            .expect("region pushed")
            .members
            .push(munis.len());
        munis.push(Muni {
            code,
            name,
            kana,
            slug,
            area,
        });
    }
    Ok((munis, regions))
}

/// `0AB` (3 digits, 60%) or `0ABC` with A, B ≥ 1: never a mobile or IP
/// prefix (050/070/080/090); every number made from it has 10 digits.
fn area_code(rng: &mut Rng) -> String {
    let a = rng.range(1, 9);
    let b = rng.range(1, 9);
    if rng.chance(60) {
        format!("0{a}{b}")
    } else {
        format!("0{a}{b}{}", rng.range(0, 9))
    }
}

/// A phone number of the area: 10 digits (`045-000-1234`, `0465-00-1234`).
fn tel(rng: &mut Rng, area: &str) -> String {
    let mid = if area.len() == 3 { "000" } else { "00" };
    format!("{area}-{mid}-{:04}", rng.below(10_000))
}

/// A date between 2024-05-01 and 2025-03-31.
fn recent_date(rng: &mut Rng) -> String {
    let months = [
        (2024, 5),
        (2024, 6),
        (2024, 7),
        (2024, 8),
        (2024, 9),
        (2024, 10),
        (2024, 11),
        (2024, 12),
        (2025, 1),
        (2025, 2),
        (2025, 3),
    ];
    let (y, m) = *rng.pick(&months);
    format!("{y}-{m:02}-{:02}", rng.range(1, 28))
}

// ------------------------------------------------------------------ text

struct TextGen<'a> {
    rng: Rng,
    munis: &'a [Muni],
    /// The municipality this text is mostly about.
    muni: usize,
    topic: usize,
}

impl TextGen<'_> {
    fn fill(&mut self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = open + rest[open..].find('}').expect("closed slot");
            let slot = &rest[open + 1..close];
            let word: &str = match slot {
                "care" => self.rng.pick::<&str>(CARE),
                "service" => self.rng.pick::<&str>(SERVICES),
                "support" => self.rng.pick::<&str>(SUPPORTS),
                "person" | "person2" => self.rng.pick::<&str>(PEOPLE),
                "place" => self.rng.pick::<&str>(PLACES),
                "thing" | "thing2" => self.rng.pick::<&str>(THINGS),
                "item" => self.rng.pick::<&str>(ITEMS),
                "time" => self.rng.pick::<&str>(TIMES),
                "family" => self.rng.pick::<&str>(FAMILY),
                "topic" => TOPICS[self.topic].0,
                "muni" => {
                    let m = if self.rng.chance(70) {
                        self.muni
                    } else {
                        self.rng.below(self.munis.len())
                    };
                    &self.munis[m].name
                }
                other => other,
            };
            out.push_str(word);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }

    fn sentence(&mut self) -> String {
        let t = *self.rng.pick(SENTENCES);
        self.fill(t)
    }

    fn paragraph(&mut self, sentences: usize) -> String {
        let mut p = String::new();
        for _ in 0..sentences {
            p.push_str(&self.sentence());
        }
        p
    }

    /// A markdown body of about `target` bytes: an intro, then `##` sections
    /// with paragraphs, lists and links to pages that always exist.
    fn body(&mut self, target: usize) -> String {
        let mut b = String::with_capacity(target + 512);
        b.push_str(&self.paragraph(2));
        b.push_str("\n\n");
        let mut headings_used = BTreeSet::new();
        while b.len() < target {
            let t = *self.rng.pick(HEADINGS);
            let mut h = self.fill(t);
            if !headings_used.insert(h.clone()) {
                h = format!("{h}({})", headings_used.len());
                headings_used.insert(h.clone());
            }
            let _ = writeln!(b, "## {h}\n");
            let n = self.rng.range(2, 4);
            b.push_str(&self.paragraph(n));
            b.push_str("\n\n");
            match self.rng.below(4) {
                0 => {
                    for _ in 0..self.rng.range(2, 4) {
                        let t = *self.rng.pick(LIST_ITEMS);
                        let item = self.fill(t);
                        let _ = writeln!(b, "- {item}");
                    }
                    b.push('\n');
                }
                1 => {
                    let m = &self.munis[self.muni];
                    let _ = writeln!(
                        b,
                        "詳しくは[{}の相談窓口](/contacts/{}/)をご覧ください。対応している施設は[施設検索](/facilities/)で探せます。\n",
                        m.name, m.slug
                    );
                }
                2 => {
                    let s = self.sentence();
                    let _ = writeln!(b, "**ポイント:** {s}\n");
                }
                _ => {}
            }
        }
        b
    }
}

// ------------------------------------------------------------------ pages

struct PageDoc {
    /// Path under content/ without `.md` (`services/homon-kango-00012`), or
    /// `index` / `<section>/index` for index pages.
    rel: String,
    title: String,
    description: String,
    weight: Option<i64>,
    date: Option<String>,
    updated: Option<String>,
    body: String,
}

fn pages(n: usize, munis: &[Muni], seed: u64) -> Vec<PageDoc> {
    let mut out = Vec::with_capacity(n);
    let mut home_rng = Rng::derive(seed, "home", 0);
    let sections = SECTIONS.len().min(n.saturating_sub(1));
    let mut home_body = String::from(
        "医療的ケアが必要なお子さんとご家族が、地域で安心して暮らすための情報をまとめています。\n\n",
    );
    for (folder, title, desc, _) in &SECTIONS[..sections] {
        let _ = writeln!(home_body, "- [{title}](/{folder}/): {desc}");
    }
    home_body.push_str("\n- [各市町村の相談窓口を探す](/contacts/)\n- [施設検索](/facilities/)\n");
    out.push(PageDoc {
        rel: "index".into(),
        title: "ホーム".into(),
        description: "おひさま 小児在宅療養ナビ(ベンチマーク用の生成サイト)".into(),
        weight: None,
        date: None,
        updated: Some(recent_date(&mut home_rng)),
        body: home_body,
    });
    for (folder, title, desc, _) in &SECTIONS[..sections] {
        let mut rng = Rng::derive(seed, "section", out.len() as u64);
        let mut tg = TextGen {
            rng: rng.clone(),
            munis,
            muni: rng.below(munis.len()),
            topic: rng.below(TOPICS.len()),
        };
        out.push(PageDoc {
            rel: format!("{folder}/index"),
            title: title.to_string(),
            description: desc.to_string(),
            weight: None,
            date: None,
            updated: Some(recent_date(&mut rng)),
            body: tg.paragraph(3) + "\n",
        });
    }
    if sections == 0 {
        return out;
    }
    // The remaining pages, spread over the sections by weight (deterministic round robin).
    let total_weight: usize = SECTIONS[..sections].iter().map(|s| s.3).sum();
    let mut counts = vec![0usize; sections];
    for i in 0..n.saturating_sub(1 + sections) {
        let mut rng = Rng::derive(seed, "page", i as u64);
        let mut w = (i * 7919) % total_weight;
        let mut s = 0;
        while w >= SECTIONS[s].3 {
            w -= SECTIONS[s].3;
            s += 1;
        }
        counts[s] += 1;
        let (folder, _, _, _) = SECTIONS[s];
        let topic = rng.below(TOPICS.len());
        let muni = rng.below(munis.len());
        let mut tg = TextGen {
            rng: Rng::derive(seed, "page-text", i as u64),
            munis,
            muni,
            topic,
        };
        let t = TOPICS[topic].0;
        let m = &munis[muni].name;
        let (title, date, weight) = match folder {
            "news" => {
                let date = recent_date(&mut rng);
                (format!("{t}に関するお知らせ({m})"), Some(date), None)
            }
            "faq" => (
                format!("{t}についての質問 その{}", counts[s]),
                None,
                Some(counts[s] as i64),
            ),
            "messages" => {
                let who = *rng.pick(PEOPLE);
                (
                    format!("{who}から: {t}のこと"),
                    None,
                    Some(counts[s] as i64),
                )
            }
            "emergency" => (
                format!("{t}と緊急時の対応({m})"),
                None,
                Some(counts[s] as i64),
            ),
            _ => (
                format!("{m}で{t}を利用するには"),
                None,
                Some(counts[s] as i64),
            ),
        };
        let description = tg.sentence();
        let target = rng.range(1200, 1800);
        let body = tg.body(target);
        out.push(PageDoc {
            rel: format!("{folder}/{}-{i:05}", TOPICS[topic].1),
            title,
            description,
            weight,
            date,
            updated: Some(recent_date(&mut rng)),
            body,
        });
    }
    out
}

fn front_matter(p: &PageDoc) -> String {
    let mut f = String::from("---\n");
    let _ = writeln!(f, "title: {}", yq(&p.title));
    let _ = writeln!(f, "description: {}", yq(&p.description));
    if let Some(w) = p.weight {
        let _ = writeln!(f, "weight: {w}");
    }
    if let Some(d) = &p.date {
        let _ = writeln!(f, "date: {d}");
    }
    if let Some(u) = &p.updated {
        let _ = writeln!(f, "updated: {u}");
    }
    f.push_str("---\n");
    f
}

// ------------------------------------------------------------------ data

struct WindowDoc {
    name: String,
    field: String,
    field_name: String,
    general: bool,
    detail: String,
    tel: Option<(String, &'static str)>,
    note: Option<String>,
    url: String,
}

struct FacilityDoc {
    id: String,
    name: String,
    kana: String,
    type_id: String,
    type_name: String,
    muni: usize,
    address: String,
    tel: String,
    url: Option<String>,
    care: Vec<usize>,
    ages: String,
    note: Option<String>,
    updated: String,
}

fn windows(
    m: &Muni,
    index: usize,
    count: usize,
    v: &Vocab,
    field_names: &[(String, String)],
    seed: u64,
) -> Vec<WindowDoc> {
    let mut rng = Rng::derive(seed, "windows", index as u64);
    let field_ok = |f: &str| v.fields.iter().any(|x| x == f);
    let field_name = |f: &str| {
        field_names
            .iter()
            .find(|(id, _)| id == f)
            .map_or_else(|| f.to_string(), |(_, n)| n.clone())
    };
    let mut order: Vec<usize> = (0..WINDOWS.len()).collect();
    for i in (1..order.len()).rev() {
        let j = rng.below(i + 1);
        order.swap(i, j);
    }
    let mut out = Vec::with_capacity(count);
    for w in 0..count {
        let (field, name, detail, key) = if w == 0 {
            (
                "sodan",
                "医療的ケア児等コーディネーター相談窓口",
                "各種相談(医療的ケア児・者に関する全般)",
                "coordinator",
            )
        } else {
            WINDOWS[order[(w - 1) % order.len()]]
        };
        let field = if field_ok(field) {
            field.to_string()
        } else {
            v.fields[0].clone()
        };
        let round = if w == 0 { 0 } else { (w - 1) / order.len() };
        let name = if round == 0 {
            name.to_string()
        } else {
            format!("{name}(第{}窓口)", round + 1)
        };
        let has_tel = w == 0 || rng.chance(85);
        let tel = has_tel.then(|| {
            (
                tel(&mut rng, &m.area),
                if rng.chance(70) { "direct" } else { "main" },
            )
        });
        let note = if !has_tel {
            Some("お住まいの地区の担当窓口へお問い合わせください。".to_string())
        } else if rng.chance(15) {
            Some("受付は平日8時30分から17時15分までです。".to_string())
        } else {
            None
        };
        out.push(WindowDoc {
            name,
            field_name: field_name(&field),
            field,
            general: w == 0,
            detail: detail.to_string(),
            tel,
            note,
            url: format!("https://example.jp/{}/{key}-{}", m.slug, w + 1),
        });
    }
    out
}

fn facilities(n: usize, munis: &[Muni], v: &Vocab, seed: u64) -> Vec<FacilityDoc> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut rng = Rng::derive(seed, "facility", i as u64);
        // Earlier municipalities (the big cities of the source site) get more.
        let muni = if rng.chance(30) {
            rng.below(munis.len().min(5))
        } else {
            rng.below(munis.len())
        };
        let m = &munis[muni];
        let (type_id, type_name, type_kana) = rng.pick(&v.types).clone();
        let (label, label_kana) = facility_label(&type_id).unwrap_or(("", ""));
        let (label, label_kana) = if label.is_empty() {
            let short = type_name
                .split('(')
                .next()
                .unwrap_or(&type_name)
                .to_string();
            let kana = if type_kana.is_empty() {
                "しせつ".to_string()
            } else {
                type_kana.clone()
            };
            (short, kana)
        } else {
            (label.to_string(), label_kana.to_string())
        };
        let (prefix, prefix_kana) = *rng.pick(FACILITY_PREFIXES);
        let mut care: Vec<usize> = Vec::new();
        if !v.care.is_empty() {
            let k = rng.range(1, v.care.len().min(10));
            while care.len() < k {
                let c = rng.below(v.care.len());
                if !care.contains(&c) {
                    care.push(c);
                }
            }
            care.sort_unstable();
        }
        let (hk, _, _) = *rng.pick(HEADS);
        let (tk, _, _) = *rng.pick(TAILS);
        out.push(FacilityDoc {
            id: format!("{}-f{i:06}", m.slug),
            name: format!("{prefix}{label}"),
            kana: format!("{prefix_kana}{label_kana}"),
            type_id,
            type_name,
            muni,
            address: format!(
                "{}{hk}{tk}町{}-{}-{}",
                m.name,
                rng.range(1, 9),
                rng.range(1, 30),
                rng.range(1, 20)
            ),
            tel: tel(&mut rng, &m.area),
            url: rng
                .chance(70)
                .then(|| format!("https://example.jp/facility/f{i:06}")),
            care,
            ages: rng.pick(AGES).to_string(),
            note: rng.chance(60).then(|| rng.pick(FACILITY_NOTES).to_string()),
            updated: recent_date(&mut rng),
        });
    }
    out
}

// ------------------------------------------------------------------ writing

struct Out {
    root: PathBuf,
    files: usize,
}

impl Out {
    fn write(&mut self, rel: &str, text: &str) -> anyhow::Result<()> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{} を作れません", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("{} に書けません", path.display()))?;
        self.files += 1;
        Ok(())
    }
}

/// Makes `dir` ready: missing, empty, or made by an earlier `generate` (then
/// its generated folders are removed).
fn prepare(dir: &Path, subdirs: &[&str]) -> anyhow::Result<()> {
    if dir.exists() {
        let nonempty = std::fs::read_dir(dir)
            .with_context(|| format!("{} を読めません", dir.display()))?
            .next()
            .is_some();
        if nonempty && !dir.join(MARKER).is_file() {
            bail!(
                "{} は空ではなく、generate で作ったフォルダでもありません(上書きしません)",
                dir.display()
            );
        }
        for s in subdirs {
            let p = dir.join(s);
            if p.exists() {
                std::fs::remove_dir_all(&p)
                    .with_context(|| format!("{} を削除できません", p.display()))?;
            }
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("{} を作れません", dir.display()))?;
    std::fs::write(dir.join(MARKER), "ohisama generate\n")?;
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<usize> {
    let mut n = 0;
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry?;
        let rel = entry.path().strip_prefix(from)?;
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target)?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("{} をコピーできません", entry.path().display()))?;
            n += 1;
        }
    }
    Ok(n)
}

/// Writes the site (and the Hugo version). Same options, same bytes.
pub fn generate(opts: &GenerateOptions) -> anyhow::Result<GenerateReport> {
    if opts.pages == 0 {
        bail!("--pages は 1 以上にしてください(トップページが必要です)");
    }
    if opts.municipalities == 0 {
        bail!("--municipalities は 1 以上にしてください");
    }
    let v = vocab(&opts.source)?;
    if v.fields.is_empty() || v.types.is_empty() {
        bail!(
            "{} の fields.yaml と facility_types.yaml が空です",
            opts.source.display()
        );
    }
    let field_names: Vec<(String, String)> =
        read_list::<crate::model::Field>(&opts.source.join("data/fields.yaml"))?
            .into_iter()
            .map(|f| (f.value.id.value, f.value.name.value))
            .collect();
    let (munis, regions) = municipalities(&opts.source, opts.municipalities, opts.seed)?;
    let pages = pages(opts.pages, &munis, opts.seed);
    let facilities = facilities(opts.facilities, &munis, &v, opts.seed);
    let windows: Vec<Vec<WindowDoc>> = munis
        .iter()
        .enumerate()
        .map(|(i, m)| {
            windows(
                m,
                i,
                opts.windows_per_municipality,
                &v,
                &field_names,
                opts.seed,
            )
        })
        .collect();

    prepare(&opts.out, &["content", "data", "themes", "dist", ".cache"])?;
    let mut o = Out {
        root: opts.out.clone(),
        files: 0,
    };
    let src_data = opts.source.join("data");
    for f in ["fields.yaml", "care.yaml", "facility_types.yaml"] {
        let text = std::fs::read_to_string(src_data.join(f))
            .with_context(|| format!("{} を読めません", src_data.join(f).display()))?;
        o.write(&format!("data/{f}"), &text)?;
    }
    o.write("data/site.yaml", &site_yaml())?;
    o.write("data/regions.yaml", &regions_yaml(&regions, &munis))?;
    o.write("data/municipalities.yaml", &municipalities_yaml(&munis))?;
    for (m, ws) in munis.iter().zip(&windows) {
        if ws.is_empty() {
            continue;
        }
        o.write(
            &format!("data/contacts/{}.yaml", m.slug),
            &contacts_yaml(m, ws),
        )?;
    }
    let mut by_muni: Vec<Vec<&FacilityDoc>> = vec![Vec::new(); munis.len()];
    for f in &facilities {
        by_muni[f.muni].push(f);
    }
    for (m, fs) in munis.iter().zip(&by_muni) {
        if fs.is_empty() {
            continue;
        }
        o.write(
            &format!("data/facilities/{}.yaml", m.slug),
            &facilities_yaml(m, fs, &v),
        )?;
    }
    let mut body_bytes = 0;
    for p in &pages {
        body_bytes += p.body.len();
        o.write(
            &format!("content/{}.md", p.rel),
            &format!("{}{}", front_matter(p), p.body),
        )?;
    }
    o.files += copy_tree(&opts.source.join("themes"), &opts.out.join("themes"))?;

    if let Some(hugo) = &opts.hugo {
        write_hugo(hugo, &pages, &munis, &windows, &facilities, &v)?;
    }
    Ok(GenerateReport {
        pages: pages.len(),
        facilities: facilities.len(),
        municipalities: munis.len(),
        regions: regions.len(),
        windows: windows.iter().map(Vec::len).sum(),
        body_bytes,
        files: o.files,
    })
}

fn site_yaml() -> String {
    let lines = [
        "# ohisama generate が作ったベンチマーク用のサイトです (データはすべて架空です)",
        "title: おひさま 小児在宅療養ナビ",
        "tagline: 医療的ケアが必要なお子さんとご家族の地域生活を支える情報サイト(生成データ)",
        "base_url: https://ohisama.example.jp/",
        "organisation: おひさま 運営事務局(架空)",
        "publisher: おひさま 運営事務局(架空)",
        "directory_title: 医療的ケア児に関する問い合わせ窓口一覧(生成データ)",
        &format!("edition: {EDITION}"),
        "sample: true",
        "intro:",
        "  - 各市町村の申請・相談窓口を分野別にまとめました。",
        "usage:",
        "  - 窓口・施設・電話番号はすべて架空です。",
        "notices:",
        &format!("  - date: {EDITION}"),
        "    text: 問い合わせ窓口一覧を掲載しました。",
        "    url: /contacts/",
        "  - date: 2025-03-01",
        "    text: 施設検索を更新しました。",
        "    url: /facilities/",
    ];
    lines.join("\n") + "\n"
}

fn regions_yaml(regions: &[RegionDef], munis: &[Muni]) -> String {
    let mut s = String::from("# 地域 (generate)\n");
    for r in regions {
        let _ = writeln!(s, "- id: {}", r.id);
        let _ = writeln!(s, "  name: {}", yq(&r.name));
        let _ = writeln!(s, "  medical_area: {}", yq(&r.medical_area));
        s.push_str("  municipalities:\n");
        for &m in &r.members {
            let _ = writeln!(s, "    - {}", munis[m].slug);
        }
    }
    s
}

fn municipalities_yaml(munis: &[Muni]) -> String {
    let mut s = String::from("# 市町村 (generate)\n");
    for m in munis {
        let _ = writeln!(
            s,
            "- code: \"{}\"\n  name: {}\n  kana: {}\n  slug: {}",
            m.code,
            yq(&m.name),
            yq(&m.kana),
            m.slug
        );
    }
    s
}

fn contacts_yaml(m: &Muni, ws: &[WindowDoc]) -> String {
    let mut s = format!(
        "# {}の窓口 (generate: 電話番号・URL は架空です)\nmunicipality: {}\nupdated: {EDITION}\nwindows:\n",
        m.name, m.slug
    );
    for w in ws {
        let _ = writeln!(s, "  - name: {}", yq(&w.name));
        let _ = writeln!(s, "    field: {}", w.field);
        if w.general {
            s.push_str("    general: true\n");
        }
        let _ = writeln!(s, "    detail: {}", yq(&w.detail));
        if let Some((t, kind)) = &w.tel {
            let _ = writeln!(s, "    tel: {t}\n    tel_kind: {kind}");
        }
        if let Some(n) = &w.note {
            let _ = writeln!(s, "    note: {}", yq(n));
        }
        let _ = writeln!(s, "    url: {}", w.url);
    }
    s
}

fn facilities_yaml(m: &Muni, fs: &[&FacilityDoc], v: &Vocab) -> String {
    let mut s = format!("# {}の施設 (generate: すべて架空です)\n", m.name);
    for f in fs {
        let _ = writeln!(s, "- id: {}", f.id);
        let _ = writeln!(s, "  name: {}", yq(&f.name));
        let _ = writeln!(s, "  kana: {}", yq(&f.kana));
        let _ = writeln!(s, "  type: {}", f.type_id);
        let _ = writeln!(s, "  municipality: {}", m.slug);
        let _ = writeln!(s, "  address: {}", yq(&f.address));
        let _ = writeln!(s, "  tel: {}", f.tel);
        if let Some(u) = &f.url {
            let _ = writeln!(s, "  url: {u}");
        }
        let care: Vec<&str> = f.care.iter().map(|&c| v.care[c].0.as_str()).collect();
        let _ = writeln!(s, "  care: [{}]", care.join(", "));
        let _ = writeln!(s, "  ages: {}", yq(&f.ages));
        if let Some(n) = &f.note {
            let _ = writeln!(s, "  note: {}", yq(n));
        }
        let _ = writeln!(s, "  updated: {}", f.updated);
    }
    s
}

// ------------------------------------------------------------------ Hugo

const HUGO_CONFIG: &str = r#"baseURL = "https://ohisama.example.jp/"
languageCode = "ja"
defaultContentLanguage = "ja"
title = "おひさま 小児在宅療養ナビ"
hasCJKLanguage = true
disableKinds = ["taxonomy", "term", "RSS"]
enableRobotsTXT = true

[markup.goldmark.renderer]
unsafe = false
"#;

const HUGO_BASEOF: &str = r##"<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} | {{ site.Title }}{{ end }}</title>
{{ with .Description }}<meta name="description" content="{{ . }}">{{ end }}
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "css/site.css" | relURL }}">
</head>
<body class="section-{{ .Section }}">
<a class="skip-link" href="#main">本文へ移動</a>
<div class="sample-banner" role="note"><strong>サンプルデータ:</strong> このサイトの窓口・施設・電話番号はすべて架空の見本です。実際の相談には使えません。</div>
<header class="site-header">
  <div class="wrap header-inner">
    <a class="site-title" href="{{ "/" | relURL }}">{{ site.Title }}</a>
    <a class="emergency-link" href="{{ "emergency/" | relURL }}">緊急時は<span>こちら</span></a>
    <form class="header-search" role="search" action="{{ "search/" | relURL }}" method="get">
      <label for="header-q" class="visually-hidden">サイト内検索</label>
      <input id="header-q" name="q" type="search" placeholder="例: 訪問看護、ちがさき" autocomplete="off">
      <button type="submit">検索</button>
    </form>
  </div>
  <nav class="site-nav" aria-label="メインメニュー">
    <ul class="wrap">
      {{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
    </ul>
  </nav>
</header>
<main id="main" class="wrap" tabindex="-1" data-pagefind-body>
{{ if not .IsHome }}<nav class="breadcrumbs" aria-label="現在位置"><ol><li><a href="{{ "/" | relURL }}">ホーム</a></li>{{ with .Parent }}{{ if not .IsHome }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}{{ end }}<li aria-current="page">{{ .Title }}</li></ol></nav>{{ end }}
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer">
  <div class="wrap">
    <p class="footer-title">{{ site.Title }}</p>
    <p class="print-url">このページの URL: {{ .Permalink }}</p>
    <ul class="footer-links">
      <li><a href="{{ "about/" | relURL }}">このサイトについて</a></li>
      <li><a href="{{ "search/" | relURL }}">サイト内検索</a></li>
    </ul>
  </div>
</footer>
</body>
</html>
"##;

const HUGO_SINGLE: &str = r#"{{ define "main" }}
<article class="page">
<h1>{{ .Title }}</h1>
{{ with .Params.updated }}<p class="updated">最終確認日: {{ . }}</p>{{ end }}
{{ .Content }}
</article>
{{ end }}
"#;

const HUGO_LIST: &str = r#"{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul class="children">
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Description }}<p>{{ . }}</p>{{ end }}</li>
{{ end }}
</ul>
{{ end }}
"#;

fn write_hugo(
    dir: &Path,
    pages: &[PageDoc],
    munis: &[Muni],
    windows: &[Vec<WindowDoc>],
    facilities: &[FacilityDoc],
    v: &Vocab,
) -> anyhow::Result<()> {
    prepare(
        dir,
        &["content", "layouts", "static", "public", "resources"],
    )?;
    let mut o = Out {
        root: dir.to_path_buf(),
        files: 0,
    };
    o.write("config.toml", HUGO_CONFIG)?;
    o.write("layouts/_default/baseof.html", HUGO_BASEOF)?;
    o.write("layouts/_default/single.html", HUGO_SINGLE)?;
    o.write("layouts/_default/list.html", HUGO_LIST)?;
    o.write("static/css/site.css", "body{font-family:sans-serif}\n")?;
    for p in pages {
        // Hugo's section and home pages are `_index.md`.
        let rel = if p.rel == "index" {
            "_index".to_string()
        } else if let Some(section) = p.rel.strip_suffix("/index") {
            format!("{section}/_index")
        } else {
            p.rel.clone()
        };
        o.write(
            &format!("content/{rel}.md"),
            &format!("{}{}", front_matter(p), p.body),
        )?;
    }
    o.write(
        "content/contacts/_index.md",
        "---\ntitle: \"各市町村の相談窓口を探す\"\n---\n",
    )?;
    for (m, ws) in munis.iter().zip(windows) {
        let mut b = String::new();
        let _ = writeln!(
            b,
            "{}({})の医療的ケア児に関する相談窓口です。\n",
            m.name, m.kana
        );
        b.push_str("| 名称 | 分野 | 内容(備考) | 連絡先 | URL |\n|---|---|---|---|---|\n");
        for w in ws {
            let contact = match (&w.tel, &w.note) {
                (Some((t, k)), Some(n)) => format!(
                    "[{t}](tel:{t})({}) {n}",
                    if *k == "main" { "代表" } else { "直通" }
                ),
                (Some((t, k)), None) => format!(
                    "[{t}](tel:{t})({})",
                    if *k == "main" { "代表" } else { "直通" }
                ),
                (None, Some(n)) => n.clone(),
                (None, None) => "-".into(),
            };
            let _ = writeln!(
                b,
                "| {}{} | {} | {} | {contact} | <{}> |",
                if w.general { "【各種相談】" } else { "" },
                w.name,
                w.field_name,
                w.detail,
                w.url
            );
        }
        o.write(
            &format!("content/contacts/{}.md", m.slug),
            &format!(
                "---\ntitle: {}\n---\n{b}",
                yq(&format!("{}の相談窓口", m.name))
            ),
        )?;
    }
    o.write(
        "content/facilities/_index.md",
        "---\ntitle: \"施設検索\"\n---\n",
    )?;
    for f in facilities {
        let m = &munis[f.muni];
        let care: Vec<&str> = f.care.iter().map(|&c| v.care[c].1.as_str()).collect();
        let mut b = String::new();
        let _ = writeln!(b, "- 種別: {}", f.type_name);
        let _ = writeln!(b, "- 市町村: [{}](/contacts/{}/)", m.name, m.slug);
        let _ = writeln!(b, "- 住所: {}", f.address);
        let _ = writeln!(b, "- 電話: [{0}](tel:{0})", f.tel);
        if let Some(u) = &f.url {
            let _ = writeln!(b, "- URL: <{u}>");
        }
        let _ = writeln!(b, "- 対応できる医療的ケア: {}", care.join("、"));
        let _ = writeln!(b, "- 対象年齢: {}", f.ages);
        if let Some(n) = &f.note {
            let _ = writeln!(b, "\n{n}");
        }
        let _ = writeln!(b, "\n最終確認日: {}", f.updated);
        o.write(
            &format!("content/facilities/{}.md", f.id),
            &format!(
                "---\ntitle: {}\ndescription: {}\n---\n{b}",
                yq(&f.name),
                yq(&f.kana)
            ),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_match_known_codes() {
        for code in ["141003", "141305", "141500", "142018", "144029", "143821"] {
            assert_eq!(
                check_digit(&code[..5]),
                (code.as_bytes()[5] - b'0') as u32,
                "{code}"
            );
        }
    }

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..1000 {
            let x = a.below(13);
            assert_eq!(x, b.below(13));
            assert!(x < 13);
        }
    }

    #[test]
    fn yaml_strings_are_quoted() {
        assert_eq!(yq("a: \"b\""), "\"a: \\\"b\\\"\"");
    }
}
