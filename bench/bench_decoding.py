"""Which encoding detector reads legacy-encoded articles right: chardet or charset-normalizer.

Run: `python -m bench.bench_decoding [--rounds 20]`. Every sample is a hand-written article
(a title, question headings, a few paragraphs) or a one/two-line snippet, encoded here in a
legacy encoding. A guess is right when the bytes decode with it to the original text, so
equivalent names (GB2312/GBK/GB18030 on a GBK file, ISO-8859-2/cp1250 on text both encode
alike) count as right. The last columns time one detection per sample (best of the rounds)
and what `decode_source` itself returns.
"""

from __future__ import annotations

import argparse
import codecs
import time
from collections.abc import Callable
from dataclasses import dataclass

import chardet
import charset_normalizer

from app.errors import UnreadableSource
from app.parsing.decoding import decode_source

RUSSIAN = """Как подготовить дачу к зиме: советы агрономов

Осенние работы на участке определяют, каким будет следующий урожай. Мы спросили \
агрономов, с чего начать и какие ошибки встречаются чаще всего.

Что такое консервация участка?

Так садоводы называют набор работ перед холодами: уборку растительных остатков, \
перекопку грядок, внесение удобрений и укрытие теплолюбивых растений. Начинать лучше в \
конце сентября, пока земля ещё тёплая.

Когда обрезать плодовые деревья?

Санитарную обрезку проводят после листопада, но до сильных морозов. Больные и сухие ветки \
удаляют целиком, а срезы толщиной больше двух сантиметров замазывают садовым варом.

Нужно ли укрывать розы?

В средней полосе — обязательно. Кусты окучивают землёй на высоту двадцати сантиметров, а \
сверху накрывают лапником или нетканым материалом.
"""

CHINESE_SIMPLIFIED = """城市居民如何应对夏季高温

今年七月，全国多地气温突破四十摄氏度。气象部门提醒，持续高温可能还会延续一周以上。\
记者采访了医生和社区工作人员，整理出以下建议。

什么是热射病？

热射病是中暑中最严重的一种，患者体温可超过四十度，并可能出现意识模糊、抽搐等症状。\
医生表示，老人、儿童和户外工作者是高危人群，一旦发现应立即降温并拨打急救电话。

如何在家中保持凉爽？

白天应拉上窗帘，减少阳光直射；空调温度建议设定在二十六度左右。多喝温水，少喝含糖饮料，\
饮食以清淡为主。

社区提供哪些帮助？

不少社区开放了纳凉点，为独居老人提供免费的绿豆汤和防暑药品。
"""

CHINESE_TRADITIONAL = """台灣夜市文化的變遷

夜市是許多人認識台灣的第一站。從士林到逢甲，每晚都吸引大批本地人與觀光客。\
近年來，夜市的樣貌也在悄悄改變。

什麼是夜市經濟？

夜市經濟指的是以夜間消費為主的商業活動，包括小吃、遊戲攤位和服飾販售。\
根據統計，全台主要夜市每年創造的產值超過數百億元。

為什麼觀光客喜歡夜市？

除了價格實惠，夜市也讓旅客能在短時間內品嚐多種在地美食，例如蚵仔煎、臭豆腐與珍珠奶茶。

攤商面臨哪些挑戰？

租金上漲與人力短缺讓不少老攤商考慮退休，年輕一代則嘗試以行動支付和網路行銷吸引客人。
"""

JAPANESE = """在宅勤務を長く続けるためのコツ

感染症の流行をきっかけに広がった在宅勤務は、今では多くの企業で定着しています。\
一方で、運動不足や孤独感に悩む人も少なくありません。

在宅勤務とは何ですか？

会社のオフィスではなく、自宅で業務を行う働き方のことです。通勤時間がなくなるため、\
家族と過ごす時間や趣味の時間を増やせるという利点があります。

どのように時間を管理すればよいですか？

始業と終業の時刻を決め、昼休みには必ず机から離れることが大切です。専門家は、\
一時間ごとに五分ほど体を動かすことを勧めています。

仕事部屋がない場合はどうしますか？

食卓の一角でも、仕事用の道具をまとめて置くだけで気持ちの切り替えがしやすくなります。
"""

KOREAN = """겨울철 전기요금 절약하는 방법

올겨울 전기요금이 다시 인상되면서 가계 부담이 커지고 있다. 전문가들은 작은 습관만 \
바꿔도 요금을 크게 줄일 수 있다고 조언한다.

난방비는 왜 오르는가?

국제 에너지 가격이 오르고 발전 비용이 늘어난 것이 가장 큰 원인이다. 정부는 취약계층을 \
위한 에너지 바우처 지원을 확대하기로 했다.

어떤 가전제품이 전기를 많이 쓰나요?

전기난로와 온풍기는 짧은 시간에도 많은 전력을 소비한다. 대신 전기장판을 사용하고 \
실내 온도를 섭씨 이십 도 정도로 유지하는 것이 좋다.

대기전력은 어떻게 줄이나요?

사용하지 않는 가전제품의 플러그를 뽑거나 멀티탭 스위치를 끄면 된다.
"""

POLISH = """Jak przygotować ogród do zimy?

Jesień to najlepszy czas, żeby zadbać o rośliny przed mrozami. Zapytaliśmy ogrodników, \
od czego zacząć i jakich błędów unikać.

Czym jest ściółkowanie?

Ściółkowanie polega na przykryciu gleby wokół roślin warstwą kory, słomy lub liści. \
Dzięki temu ziemia mniej przemarza, a korzenie są chronione przed gwałtownymi zmianami \
temperatury.

Kiedy przycinać róże?

Róż nie należy przycinać jesienią. Wystarczy usunąć chore pędy, a właściwe cięcie \
zostawić na wiosnę, gdy ruszą pąki.

Czy trzeba podlewać iglaki?

Tak, szczególnie przed pierwszymi przymrozkami. Źle nawodnione iglaki brązowieją w lutym.
"""

CZECH = """Jak ušetřit za energie v zimě

Ceny elektřiny a plynu zůstávají vysoké. Odborníci radí, že i drobné změny v domácnosti \
mohou přinést úsporu několika tisíc korun ročně.

Co je tepelné čerpadlo?

Tepelné čerpadlo odebírá teplo z okolního vzduchu, vody nebo země a předává ho do \
topného systému. Pořizovací cena je vyšší, ale provoz bývá levnější než u elektrokotle.

Kolik stojí zateplení domu?

Záleží na velikosti a stavu budovy. Na zateplení fasády rodinného domu lze získat dotaci \
z programu Nová zelená úsporám, která pokryje až polovinu nákladů.

Vyplatí se výměna oken?

U starších domů ano, úspora tepla může dosáhnout čtvrtiny.
"""

GERMAN = """Wie funktioniert die Mülltrennung in Deutschland?

Wer neu nach Deutschland zieht, staunt oft über die vielen Tonnen im Hinterhof. \
„Das System ist gar nicht so kompliziert“, sagt eine Sprecherin der Stadtreinigung.

Was gehört in die gelbe Tonne?

Verpackungen aus Kunststoff, Metall und Verbundstoffen – also Joghurtbecher, \
Konservendosen und Getränkekartons. Sie müssen nicht gespült werden, sollten aber \
restentleert sein.

Wohin mit Altglas?

Flaschen und Gläser kommen nach Farben getrennt in die Container an der Straße. \
Einwürfe sind werktags zwischen 7 und 20 Uhr erlaubt, damit die Nachbarn ihre Ruhe haben.

Was passiert mit dem Biomüll?

Aus Küchen- und Gartenabfällen entstehen Kompost und Biogas für die Stromerzeugung.
"""

FRENCH = """Pourquoi le prix du pain augmente-t-il ?

Depuis le début de l'année, la baguette a pris une dizaine de centimes dans de \
nombreuses boulangeries. Les artisans dénoncent la hausse du coût de l'énergie.

Qu'est-ce qui fait grimper les coûts ?

Le blé, l'électricité pour les fours et les salaires. « Nos factures ont doublé en \
un an », explique un boulanger de Lyon, qui a dû réduire ses horaires d'ouverture.

Le pain bio est-il plus cher ?

Oui, d'environ vingt pour cent. Mais les clients fidèles acceptent souvent de payer \
davantage pour une farine locale et un levain naturel.

Que peuvent faire les consommateurs ?

Acheter moins mais mieux, et congeler le pain plutôt que de le jeter.
"""

GREEK = """Πώς να προστατευτείτε από τον καύσωνα

Η θερμοκρασία αναμένεται να ξεπεράσει τους σαράντα βαθμούς σε πολλές περιοχές της χώρας. \
Οι γιατροί συστήνουν ιδιαίτερη προσοχή στους ηλικιωμένους και στα μικρά παιδιά.

Τι είναι η θερμοπληξία;

Είναι η κατάσταση κατά την οποία ο οργανισμός δεν μπορεί να ρυθμίσει τη θερμοκρασία του. \
Τα συμπτώματα περιλαμβάνουν ζάλη, πονοκέφαλο και ναυτία.

Τι πρέπει να κάνετε;

Πίνετε άφθονο νερό, αποφεύγετε την έκθεση στον ήλιο τις μεσημεριανές ώρες και φοράτε \
ανοιχτόχρωμα ρούχα.
"""

SHORT = {
    "ru": "Что такое ипотека?\nОтвечаем на главные вопросы.",
    "ru1": "Что такое ипотека?",
    "zh": "什么是热射病？\n医生给出建议。",
    "zh1": "什么是热射病？",
    "zh-tw": "什麼是夜市經濟？",
    "ja": "在宅勤務とは何ですか？",
    "ko": "난방비는 왜 오르는가?",
    "pl": "Czym jest ściółkowanie?",
    "cs": "Co je tepelné čerpadlo?",
    "de": "Was gehört in die gelbe Tonne?",
    "fr": "Le pain bio coûte-t-il plus cher à Noël ?",
    "el": "Τι είναι η θερμοπληξία;",
}

# (encoding written, sample name, text)
SAMPLES: list[tuple[str, str, str]] = [
    ("cp1251", "ru article", RUSSIAN),
    ("koi8-r", "ru article", RUSSIAN.replace("—", "-")),  # KOI8-R has no dashes
    ("gbk", "zh article", CHINESE_SIMPLIFIED),
    ("gb18030", "zh article", CHINESE_SIMPLIFIED + "欧元符号：€，罕用字：㐀\n"),
    ("big5", "zh-tw article", CHINESE_TRADITIONAL),
    ("shift_jis", "ja article", JAPANESE),
    ("euc-jp", "ja article", JAPANESE),
    ("euc-kr", "ko article", KOREAN),
    ("iso-8859-2", "pl article", POLISH),
    ("cp1250", "pl article", POLISH),
    ("iso-8859-2", "cs article", CZECH),
    ("cp1250", "cs article", CZECH),
    ("cp1252", "de article", GERMAN),
    ("latin-1", "fr article", FRENCH.replace("« ", '"').replace(" »", '"')),
    ("cp1252", "fr article", FRENCH),
    ("cp1253", "el article", GREEK),
    ("iso-8859-7", "el article", GREEK),
    ("utf-16", "ru article (BOM)", RUSSIAN),
    ("utf-16-le", "ru article (no BOM)", RUSSIAN),
    ("utf-16-be", "zh article (no BOM)", CHINESE_SIMPLIFIED),
    ("cp1251", "ru 2 lines", SHORT["ru"]),
    ("cp1251", "ru 1 line", SHORT["ru1"]),
    ("koi8-r", "ru 1 line", SHORT["ru1"]),
    ("gbk", "zh 2 lines", SHORT["zh"]),
    ("gbk", "zh 1 line", SHORT["zh1"]),
    ("big5", "zh-tw 1 line", SHORT["zh-tw"]),
    ("shift_jis", "ja 1 line", SHORT["ja"]),
    ("euc-kr", "ko 1 line", SHORT["ko"]),
    ("iso-8859-2", "pl 1 line", SHORT["pl"]),
    ("cp1250", "cs 1 line", SHORT["cs"]),
    ("cp1252", "de 1 line", SHORT["de"]),
    ("latin-1", "fr 1 line", SHORT["fr"]),
    ("cp1253", "el 1 line", SHORT["el"]),
]


@dataclass(frozen=True)
class Guess:
    encoding: str | None
    confidence: float


def guess_chardet(data: bytes) -> Guess:
    """As decode_source asks: web and ISO encodings, Python codec names, no superset
    renaming (chardet's prefer_superset maps ISO-8859-2 to windows-1250, which garbles
    Polish and Czech: the two differ in a dozen letters)."""
    era = chardet.EncodingEra.MODERN_WEB | chardet.EncodingEra.LEGACY_ISO
    result = chardet.detect(data, encoding_era=era, compat_names=False, prefer_superset=False)
    return Guess(result["encoding"], result["confidence"])


def guess_charset_normalizer(data: bytes) -> Guess:
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return Guess(None, 0.0)
    return Guess(best.encoding, 1.0 - best.chaos)


DETECTORS: dict[str, Callable[[bytes], Guess]] = {
    f"chardet {chardet.__version__}": guess_chardet,
    f"charset-normalizer {charset_normalizer.__version__}": guess_charset_normalizer,
}


def reads_right(data: bytes, encoding: str | None, text: str) -> bool:
    if encoding is None:
        return False
    try:
        codecs.lookup(encoding)
        decoded = data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return False
    return decoded.removeprefix("\ufeff") == text


def best_seconds(detect: Callable[[bytes], Guess], data: bytes, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        detect(data)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="timing rounds per sample")
    args = parser.parse_args()

    names = list(DETECTORS)
    header = f"{'encoding':<11} {'sample':<20}"
    for name in names:
        header += f" | {name[:26]:<26} {'ok':<5}"
    print(header + " | decode_source")
    print("-" * len(header) + "-" * 16)
    right = dict.fromkeys(names, 0)
    seconds = dict.fromkeys(names, 0.0)
    for encoding, sample, text in SAMPLES:
        data = text.encode(encoding)
        row = f"{encoding:<11} {sample:<20}"
        for name in names:
            guess = DETECTORS[name](data)
            ok = reads_right(data, guess.encoding, text)
            right[name] += ok
            seconds[name] += best_seconds(DETECTORS[name], data, args.rounds)
            shown = f"{guess.encoding} {guess.confidence:.2f}"
            row += f" | {shown[:26]:<26} {'right' if ok else 'WRONG':<5}"
        try:
            decoded, warning = decode_source(data)
            ours = "right" if decoded.removeprefix("\ufeff") == text else "WRONG"
            ours += " (warned)" if warning else ""
        except UnreadableSource as error:
            ours = f"refused: {error}"
        print(f"{row} | {ours}")
    print()
    for name in names:
        print(
            f"{name}: {right[name]}/{len(SAMPLES)} right, "
            f"{seconds[name] / len(SAMPLES) * 1000:.2f} ms per sample (best of {args.rounds})"
        )


if __name__ == "__main__":
    main()
