"""Plain-text articles in French, Russian and Chinese: headings, questions, boilerplate."""

from __future__ import annotations

import pytest

from app.parsing import parse_article

FRENCH = """Pourquoi la réforme des retraites divise-t-elle la France ?

Lecture : 6 min

Le gouvernement a présenté mardi son projet de réforme, qui repousse l'âge légal de départ.

Que contient le projet ?

Le texte prévoit de relever progressivement l'âge de départ de 62 à 64 ans d'ici à 2030.

Le contexte

La dernière grande réforme remonte à 2010. Elle avait provoqué d'importantes manifestations.

Partager cet article

Laisser un commentaire
"""
RUSSIAN = """Что изменится для водителей с 1 марта?

С 1 марта вступают в силу новые правила дорожного движения. Эксперты рассказали, к чему готовиться.

Какие штрафы вырастут?

Штрафы за превышение скорости увеличатся в среднем на треть. Об этом сообщили в министерстве.

Читайте также: Как выбрать зимние шины
"""
CHINESE = """为什么年轻人越来越喜欢露营？

近年来，露营在中国年轻人中迅速流行。据统计，去年露营相关消费增长了百分之四十。

露营需要准备什么？

专家建议，首次露营的人应准备帐篷、睡袋和防潮垫，并提前查看天气预报。

相关阅读：城市周边十大露营地
"""


@pytest.mark.parametrize(
    ("text", "language", "headings", "dropped"),
    [
        pytest.param(
            FRENCH,
            "fr",
            [("Que contient le projet ?", True), ("Le contexte", False)],
            {"reading_time", "share_widget", "comments_widget"},
            id="french",
        ),
        pytest.param(RUSSIAN, "ru", [("Какие штрафы вырастут?", True)], {"promo"}, id="russian"),
        pytest.param(CHINESE, "zh", [("露营需要准备什么？", True)], {"promo"}, id="chinese"),
    ],
)
def test_article_in_language(
    text: str, language: str, headings: list[tuple[str, bool]], dropped: set[str]
) -> None:
    article = parse_article(text.encode(), source="article.txt").article
    assert article.language == language
    assert article.title == text.splitlines()[0]
    assert [(s.heading, s.is_question) for s in article.sections] == headings
    assert {d.reason for d in article.dropped} == dropped
    assert article.slug.isascii()


def test_hard_wrapped_chinese_is_rejoined_without_spaces() -> None:
    text = (
        "为什么要备份？\n\n"
        "问：实例到期或被释放后，\n备份的数据还会保留吗？\n"
        "答：云原生实例的备份数据在实例释放后仍然保留七天，您可以在控制台中查看并恢复到\n"
        "新的实例，也可以下载备份文件到本地保存。\n"
    )
    article = parse_article(text.encode(), source="faq.txt").article
    assert [s.heading for s in article.sections] == [
        "问：实例到期或被释放后，备份的数据还会保留吗？"
    ]
    assert article.sections[0].body == (
        "云原生实例的备份数据在实例释放后仍然保留七天，您可以在控制台中查看并恢复到"
        "新的实例，也可以下载备份文件到本地保存。"
    )


def test_an_english_preamble_does_not_decide_the_language() -> None:
    preamble = (
        "This is a translated version of the original English document. If you have any "
        "comment, please contact the maintainer of the original document directly.\n\n"
    ) * 2
    body = "".join(f"{CHINESE}\n" for _ in range(3))
    article = parse_article((preamble + body).encode(), source="translated.txt").article
    assert article.language == "zh"


def test_ukrainian_is_told_from_russian() -> None:
    ukrainian = (
        "Перша допомога при опіках\n\n"
        "Що робити одразу після опіку? Охолодіть шкіру прохолодною водою, але не льодом, "
        "і зніміть прикраси, поки не з'явився набряк. Також варто звернутися до лікаря, "
        "якщо опік більший за долоню або його отримала дитина.\n"
    )
    russian = (
        "Первая помощь при ожогах\n\n"
        "Что делать сразу после ожога? Охладите кожу прохладной водой, но не льдом, и "
        "снимите украшения, пока не появился отёк. Также стоит обратиться к врачу, если "
        "ожог больше ладони или его получил ребёнок.\n"
    )
    assert parse_article(ukrainian.encode(), source="uk.txt").article.language == "uk"
    assert parse_article(russian.encode(), source="ru.txt").article.language == "ru"
