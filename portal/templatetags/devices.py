"""{% signed_in_devices %}: the athlete's signed-in devices, with buttons to sign them out (portal.devices)."""

from django import template

from portal.devices import devices_of, key_hash

register = template.Library()


@register.inclusion_tag("portal/_signed_in_devices.html", takes_context=True)
def signed_in_devices(context):
    request = context["request"]
    current = key_hash(request.session.session_key)
    devices = [(device, device.key_hash == current) for device in devices_of(request.user)]
    return {
        "devices": devices,
        "others": sum(not this for _, this in devices),
        "csrf_token": context.get("csrf_token"),
    }
