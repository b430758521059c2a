{{ ro_form_items(source('mhclg_rsx', 'mhclg_rsx')) }}
