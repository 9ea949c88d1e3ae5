"""Bytes to text: encodings users really send, and what cannot be read."""

from __future__ import annotations

import re

import pytest

from app.errors import UnreadableSource
from app.parsing import parse_article
from app.parsing.decoding import decode_source


@pytest.mark.parametrize(
    ("data", "text", "warned"),
    [
        pytest.param("Grüße".encode(), "Grüße", False, id="utf-8"),
        pytest.param("\ufeffGrüße".encode(), "Grüße", False, id="utf-8-bom"),
        pytest.param("Grüße".encode("utf-16"), "Grüße", False, id="utf-16-bom"),
        pytest.param("Café crème".encode("latin-1"), "Café crème", True, id="legacy-latin-1"),
        pytest.param(
            "Grüße aus Köln".encode() + b"\xff", "Grüße aus Köln\ufffd", True, id="stray-byte"
        ),
        pytest.param(
            b"<meta charset=iso-8859-1><p>It\x92s \x93quoted\x94</p>",
            "<meta charset=iso-8859-1><p>It’s “quoted”</p>",
            False,
            id="latin-1-label-read-as-windows-1252",
        ),
    ],
)
def test_decodes(data: bytes, text: str, warned: bool) -> None:
    decoded, warning = decode_source(data)
    assert decoded == text
    assert (warning is not None) == warned


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b" \n\t ", id="whitespace"),
        pytest.param(b"\x00\x01\x02PK\x03\x04" * 50, id="binary-nul"),
        pytest.param(bytes(range(1, 32)) * 40, id="control-characters"),
    ],
)
def test_refuses(data: bytes) -> None:
    with pytest.raises(UnreadableSource):
        decode_source(data)


RUSSIAN = """Как выбрать ипотеку в 2024 году

Ставки по ипотеке снова выросли, а банки ужесточили требования к заёмщикам. Мы разобрали, \
на что смотреть, прежде чем подписывать договор.

Что такое льготная ипотека?

Это кредит на жильё под сниженный процент, разницу банку возмещает государство. Программа \
действует для новостроек, а для семей с детьми ставка не превышает шести процентов.

Сколько нужно накопить на первый взнос?

Большинство банков просят не меньше двадцати процентов от стоимости квартиры. Материнский \
капитал можно направить на первый взнос целиком.

Можно ли погасить кредит досрочно?

Да, закон разрешает досрочное погашение без штрафов, достаточно предупредить банк за месяц.
"""
CHINESE = """家长如何帮助孩子适应小学生活

每年九月，数百万儿童第一次走进小学校园。面对新的环境和作息，不少孩子会感到紧张，\
家长也常常不知所措。我们请教了几位有经验的老师。

什么是幼小衔接？

幼小衔接是指帮助孩子从幼儿园平稳过渡到小学的过程，包括作息调整、学习习惯和社交能力的培养。\
老师建议，从暑假开始就让孩子按时起床、按时睡觉。

孩子不愿意上学怎么办？

家长首先要耐心倾听孩子的想法，不要急于批评。可以和班主任保持沟通，一起找出原因。

需要提前学习拼音吗？

专家认为没有必要过早学习，重要的是培养阅读兴趣和专注力。
"""
TRADITIONAL_CHINESE = """颱風來襲前該做哪些準備

氣象局預測，今年將有三到五個颱風影響台灣。專家提醒民眾，提早準備可以大幅降低損失。

什麼是颱風警報？

當颱風可能在二十四小時內影響陸地時，氣象局會發布陸上颱風警報，提醒民眾做好防颱措施。

家中應該準備哪些物品？

建議準備飲用水、乾糧、手電筒、行動電源與急救包，並檢查門窗是否牢固。

停班停課由誰決定？

由各縣市政府依據風雨情況決定，並於前一天晚上公布。
"""
JAPANESE = """梅雨の季節を快適に過ごす方法

六月に入り、各地で梅雨入りが発表されました。湿度が高い日が続くと、体調を崩したり、\
洗濯物が乾かなかったりと、悩みが増える季節です。

カビを防ぐにはどうすればよいですか？

こまめに換気をし、除湿機やエアコンの除湿機能を使うことが効果的です。浴室は使用後に\
水気を拭き取るだけでも、カビの発生をかなり抑えられます。

洗濯物はどのように干せばよいですか？

部屋干しの場合は、洗濯物の間隔を空け、扇風機で風を当てると早く乾きます。

体調管理で気をつけることは何ですか？

睡眠を十分にとり、温かい食事で体を冷やさないようにしましょう。
"""
KOREAN = """장마철 건강 관리 요령

올해 장마가 예년보다 일주일 일찍 시작되면서 습도가 크게 높아졌다. 전문가들은 \
식중독과 피부 질환에 특히 주의해야 한다고 당부했다.

식중독은 왜 장마철에 많이 생기나요?

덥고 습한 날씨에는 세균이 빠르게 번식하기 때문이다. 음식은 충분히 익혀 먹고, \
조리한 음식은 두 시간 안에 냉장 보관하는 것이 좋다.

집 안의 곰팡이는 어떻게 막나요?

하루에 두 번 이상 환기하고, 제습기를 사용해 실내 습도를 오십 퍼센트 안팎으로 유지한다.

빨래는 어떻게 말려야 하나요?

빨래 사이의 간격을 넓히고 선풍기를 함께 틀면 냄새 없이 마른다.
"""
POLISH = """Jak oszczędzać prąd w domu?

Rachunki za energię rosną, a wielu z nas szuka sposobów, żeby płacić mniej. Zebraliśmy \
porady ekspertów, które nie wymagają dużych wydatków.

Czym jest tryb czuwania?

To stan, w którym urządzenie jest wyłączone, ale nadal pobiera prąd. Telewizor, \
ładowarka czy konsola potrafią zużyć w ciągu roku nawet kilkadziesiąt złotych.

Które urządzenia zużywają najwięcej?

Lodówka, pralka i płyta indukcyjna. Warto wybierać sprzęt w wysokiej klasie \
energetycznej i nie przeładowywać zamrażarki.

Czy warto wymienić żarówki?

Tak, żarówki LED zużywają do ośmiu razy mniej energii niż tradycyjne.
"""


@pytest.mark.parametrize(
    ("text", "encoding", "marked"),
    [
        pytest.param(RUSSIAN, "cp1251", False, id="cp1251-russian"),
        pytest.param(RUSSIAN, "koi8-r", False, id="koi8-r-russian"),
        pytest.param(CHINESE, "gbk", False, id="gbk-chinese"),
        pytest.param(CHINESE + "欧元符号：€\n", "gb18030", False, id="gb18030-chinese"),
        pytest.param(TRADITIONAL_CHINESE, "big5", False, id="big5-traditional-chinese"),
        pytest.param(JAPANESE, "shift_jis", False, id="shift-jis-japanese"),
        pytest.param(JAPANESE, "euc-jp", False, id="euc-jp-japanese"),
        pytest.param(KOREAN, "euc-kr", False, id="euc-kr-korean"),
        pytest.param(POLISH, "iso-8859-2", False, id="iso-8859-2-polish"),
        pytest.param(POLISH, "cp1250", False, id="cp1250-polish"),
        pytest.param(RUSSIAN, "utf-16", False, id="utf-16-bom-russian"),  # the codec adds it
        pytest.param(JAPANESE, "utf-16-be", True, id="utf-16-be-bom-japanese"),
        pytest.param(RUSSIAN, "utf-16-le", False, id="utf-16-le-no-bom-russian"),
        pytest.param(CHINESE, "utf-16-be", False, id="utf-16-be-no-bom-chinese"),
        pytest.param(POLISH, "utf-32", False, id="utf-32-bom-polish"),
    ],
)
def test_reads_legacy_encoding(text: str, encoding: str, marked: bool) -> None:
    data = (f"\ufeff{text}" if marked else text).encode(encoding)
    decoded, _ = decode_source(data)
    assert decoded == text


@pytest.mark.parametrize(
    ("data", "text", "guessed"),
    [
        pytest.param(
            "Что такое ипотека?".encode("cp1251"),
            "Что такое ипотека?",
            "windows-1251",
            id="one-russian-line",
        ),
        pytest.param(
            "什么是幼小衔接？".encode("gbk"), "什么是幼小衔接？", "GB18030", id="one-chinese-line"
        ),
        pytest.param(
            POLISH.encode("iso-8859-2"), POLISH, "ISO-8859-2", id="polish-iso-8859-2-article"
        ),
    ],
)
def test_low_confidence_guess_is_warned(data: bytes, text: str, guessed: str) -> None:
    decoded, warning = decode_source(data)
    assert decoded == text
    assert warning is not None
    assert re.fullmatch(rf"not UTF-8; guessed {guessed} with low confidence \(\d+%\)", warning)


def test_confident_guess_is_not_warned() -> None:
    assert decode_source(RUSSIAN.encode("cp1251")) == (RUSSIAN, None)


EURO_PRICES = "<p>Ein Kaffee kostet 3 €, ein Stück Kuchen 4 € – Grüße aus Köln.</p>\n"


@pytest.mark.parametrize(
    ("head", "encoding", "warned"),
    [
        pytest.param('<meta charset="iso-8859-15">', "iso-8859-15", False, id="meta-charset"),
        pytest.param(
            '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15">',
            "iso-8859-15",
            False,
            id="http-equiv",
        ),
        pytest.param(
            '<?xml version="1.0" encoding="ISO-8859-15"?>', "iso-8859-15", False, id="xml"
        ),
        pytest.param('<meta charset="iso-8859-15">', "utf-8", True, id="utf-8-page-with-old-meta"),
    ],
)
def test_declared_charset_wins_over_detection(head: str, encoding: str, warned: bool) -> None:
    # ISO-8859-15 writes € where windows-1252 and latin-1 write ¤: detection alone reads ¤.
    body = EURO_PRICES.replace("–", "-") if encoding == "iso-8859-15" else EURO_PRICES
    undeclared, _ = decode_source(f"<html>{body}".encode(encoding))
    assert ("€" not in undeclared) == (encoding == "iso-8859-15")
    decoded, warning = decode_source(f"{head}{body}".encode(encoding))
    assert decoded == f"{head}{body}"
    assert (warning is not None) == warned


def test_a_text_article_quoting_a_meta_tag_declares_nothing() -> None:
    text = f'Что такое <meta charset="iso-8859-1">?\n\n{RUSSIAN}'
    assert decode_source(text.encode()) == (text, None)


@pytest.mark.parametrize(
    ("text", "encoding", "language", "headings"),
    [
        pytest.param(
            RUSSIAN,
            "cp1251",
            "ru",
            [
                "Что такое льготная ипотека?",
                "Сколько нужно накопить на первый взнос?",
                "Можно ли погасить кредит досрочно?",
            ],
            id="cp1251-russian",
        ),
        pytest.param(
            CHINESE,
            "gbk",
            "zh",
            ["什么是幼小衔接？", "孩子不愿意上学怎么办？", "需要提前学习拼音吗？"],
            id="gbk-chinese",
        ),
    ],
)
def test_legacy_article_parses_end_to_end(
    text: str, encoding: str, language: str, headings: list[str]
) -> None:
    parsed = parse_article(text.encode(encoding), source="x.txt")
    article = parsed.article
    assert article.title == text.splitlines()[0]
    assert article.language == language
    assert [(s.heading, s.is_question) for s in article.sections] == [
        (heading, True) for heading in headings
    ]
    assert not any("windows-1252" in warning for warning in parsed.warnings)
