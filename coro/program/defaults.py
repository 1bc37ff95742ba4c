"""An example of the terms, per language: what the demo company publishes, and a starting
point for an organisation writing its own."""

EXAMPLE_TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "offer": (
            "Puedes usar tus redes sociales en horario de trabajo para compartir lo que te "
            "parezca interesante de la empresa. Te ofrecemos formación sobre redes y "
            "reconocimiento público solo si tú lo eliges. Participar o no participar no tiene "
            "ninguna consecuencia."
        ),
        "commitment": (
            "Compartes los mensajes de la empresa solo cuando te parezcan valiosos, con tus "
            "propias palabras, indicando que trabajas aquí. No hay cuotas ni objetivos "
            "individuales, y puedes dejar el programa cuando quieras con un clic."
        ),
    },
    "ca": {
        "offer": (
            "Pots fer servir les teves xarxes socials en horari de feina per compartir el que "
            "et sembli interessant de l'empresa. T'oferim formació sobre xarxes i reconeixement "
            "públic només si tu ho tries. Participar-hi o no participar-hi no té cap conseqüència."
        ),
        "commitment": (
            "Comparteixes els missatges de l'empresa només quan et semblin valuosos, amb les "
            "teves pròpies paraules, indicant que hi treballes. No hi ha quotes ni objectius "
            "individuals, i pots deixar el programa quan vulguis amb un clic."
        ),
    },
    "en": {
        "offer": (
            "You may use your social networks during working hours to pass on what you find "
            "worth sharing from the company. We offer training on social media, and public "
            "recognition only if you choose it. Taking part or not has no consequence whatsoever."
        ),
        "commitment": (
            "You pass on company messages only when you find them worthwhile, in your own words, "
            "saying that you work here. There are no quotas or individual targets, and you can "
            "leave the program at any moment with one click."
        ),
    },
}
